"""GraphQL ``Person``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.schema.agency import Agency, agency_or_none


@strawberry.type(description="A speaker at events or a source quoted in articles.")
class Person:
    id: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly name.")
    name: str = strawberry.field(description="Full name, with rank or title where customary.")
    position: str | None = strawberry.field(description="Position or job title.")
    version: int = strawberry.field(
        description="Edit counter; an update must send the version it saw."
    )
    agency_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Person) -> Person:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            position=row.position,
            agency_id=row.agency_id,
            version=row.version,
        )

    @strawberry.field(description="The agency the person works for.")
    async def agency(self, info: Info[Context, None]) -> Agency | None:
        return await agency_or_none(info, self.agency_id)
