"""GraphQL ``Region``: the Kemendagri tree, and what happens in a region and below it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import global_id
from hub.resolvers import region as resolvers
from hub.resolvers.connections import child_slice
from hub.schema.connection import After, Before, Connection, First, Last, page_args
from hub.schema.enums import RegionLevel
from hub.schema.nested import article_list
from hub.schema.node import Node

if TYPE_CHECKING:
    from hub.schema.agency import Agency
    from hub.schema.event import Event


@strawberry.type(description="A province, regency or city, identified by its Kemendagri code.")
class Region(Node):
    code: str = strawberry.field(description="Kemendagri code, e.g. `64` or `64.71`.")
    name: str = strawberry.field(description="Official name.")
    level: RegionLevel = strawberry.field(description="Province, regency or city.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: models.Region) -> Region:
        return cls(
            id=strawberry.ID(global_id.encode("Region", row.code)),
            code=row.code,
            name=row.name,
            level=RegionLevel(row.level),
            parent_code=row.parent_code,
        )

    @strawberry.field(description="The province a regency or city belongs to.")
    async def parent(self, info: Info[Context, None]) -> Region | None:
        return await region_or_none(info, self.parent_code)

    @strawberry.field(description="The regions above this one, the top (province) first.")
    async def ancestors(self, info: Info[Context, None]) -> list[Region]:
        found: list[Region] = []
        code = self.parent_code
        while code is not None:
            parent = await region_or_none(info, code)
            if parent is None:
                break
            found.insert(0, parent)
            code = parent.parent_code
        return found

    @strawberry.field(description="Regencies and cities of a province, by code.")
    async def children(self, info: Info[Context, None]) -> list[Region]:
        rows = await info.context.loaders.region_children.load(self.code)
        return [Region.from_row(row) for row in rows]

    @strawberry.field(description="Agencies based in this region or below it, by name.")
    async def agencies(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Agency, strawberry.lazy("hub.schema.agency")]]:
        from hub.schema.agency import Agency

        page = await child_slice(
            info.context, "region.agencies", self.code, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Agency.from_row))

    @strawberry.field(description="Events held in this region or below it, latest first.")
    async def events(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Event, strawberry.lazy("hub.schema.event")]]:
        from hub.schema.event import Event

        page = await child_slice(
            info.context, "region.events", self.code, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Event.from_row))

    articles = article_list(
        "region.articles",
        lambda region: region.code,
        "Published articles covering this region or a region below it.",
    )


async def region_or_none(info: Info[Context, None], code: str | None) -> Region | None:
    if code is None:
        return None
    row = await resolvers.get_region(info.context, code=code)
    return Region.from_row(row) if row else None
