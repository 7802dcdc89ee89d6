"""GraphQL ``Region``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import region as resolvers
from hub.schema.enums import RegionLevel


@strawberry.type(description="A province, regency or city, identified by its Kemendagri code.")
class Region:
    code: str = strawberry.field(description="Kemendagri code, e.g. `64` or `64.71`.")
    name: str = strawberry.field(description="Official name.")
    level: RegionLevel = strawberry.field(description="Province, regency or city.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: models.Region) -> Region:
        return cls(
            code=row.code,
            name=row.name,
            level=RegionLevel(row.level),
            parent_code=row.parent_code,
        )

    @strawberry.field(description="The province a regency or city belongs to.")
    async def parent(self, info: Info[Context, None]) -> Region | None:
        if self.parent_code is None:
            return None
        row = await info.context.loaders.region_by_code.load(self.parent_code)
        return Region.from_row(row) if row else None

    @strawberry.field(description="Regencies and cities of a province, by code.")
    async def children(self, info: Info[Context, None]) -> list[Region]:
        rows = await info.context.loaders.region_children.load(self.code)
        return [Region.from_row(row) for row in rows]


async def region_or_none(info: Info[Context, None], code: str | None) -> Region | None:
    if code is None:
        return None
    row = await resolvers.get_region(info.context, code=code)
    return Region.from_row(row) if row else None
