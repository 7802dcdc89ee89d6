"""GraphQL ``Agency`` and ``AgencyType``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.schema.region import Region, region_or_none


@strawberry.type(description="A kind of agency in the Bakohumas network.")
class AgencyType:
    code: str = strawberry.field(description="Stable code, e.g. `diskominfo_provinsi`.")
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    description: str = strawberry.field(description="What agencies of this type do.")

    @classmethod
    def from_row(cls, row: models.AgencyType) -> AgencyType:
        return cls(code=row.code, name=row.name, name_en=row.name_en, description=row.description)


@strawberry.type(description="A public-relations office, election body or media partner.")
class Agency:
    id: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly name.")
    name: str = strawberry.field(description="Full name.")
    acronym: str | None = strawberry.field(description="Short name, e.g. `Diskominfo Kaltim`.")
    website: str | None = strawberry.field(description="Official website.")
    version: int = strawberry.field(
        description="Edit counter; an update must send the version it saw."
    )
    type_code: strawberry.Private[str]
    region_code: strawberry.Private[str | None]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Agency) -> Agency:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            acronym=row.acronym,
            website=row.website,
            type_code=row.type_code,
            version=row.version,
            region_code=row.region_code,
            parent_id=row.parent_id,
        )

    @strawberry.field(description="The kind of agency.")
    async def type(self, info: Info[Context, None]) -> AgencyType:
        row = await info.context.loaders.agency_type_by_code.load(self.type_code)
        assert row is not None  # enforced by a foreign key
        return AgencyType.from_row(row)

    @strawberry.field(description="The region the agency serves.")
    async def region(self, info: Info[Context, None]) -> Region | None:
        return await region_or_none(info, self.region_code)

    @strawberry.field(description="The agency this one is part of, if any.")
    async def parent(self, info: Info[Context, None]) -> Agency | None:
        return await agency_or_none(info, self.parent_id)


async def agency_or_none(info: Info[Context, None], agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    row = await info.context.loaders.agency_by_id.load(agency_id)
    return Agency.from_row(row) if row else None
