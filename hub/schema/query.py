"""The root ``Query`` type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.resolvers import agency as agency_resolvers
from hub.resolvers import article as article_resolvers
from hub.resolvers import event as event_resolvers
from hub.resolvers import region as region_resolvers
from hub.schema.agency import Agency
from hub.schema.article import Article
from hub.schema.enums import RegionLevel
from hub.schema.event import Event
from hub.schema.region import Region, region_or_none


@strawberry.type
class Query:
    @strawberry.field(description="Regions by code; filter by level or parent code.")
    async def regions(
        self,
        info: Info[Context, None],
        level: RegionLevel | None = None,
        parent_code: str | None = None,
    ) -> list[Region]:
        rows = await region_resolvers.list_regions(
            info.context, level=level.value if level else None, parent_code=parent_code
        )
        return [Region.from_row(row) for row in rows]

    @strawberry.field(description="A region by Kemendagri code, e.g. `64.71`.")
    async def region(self, info: Info[Context, None], code: str) -> Region | None:
        return await region_or_none(info, code)

    @strawberry.field(description="Agencies by name.")
    async def agencies(self, info: Info[Context, None], first: int = 50) -> list[Agency]:
        rows = await agency_resolvers.list_agencies(info.context, first=first)
        return [Agency.from_row(row) for row in rows]

    @strawberry.field(description="An agency by slug.")
    async def agency(self, info: Info[Context, None], slug: str) -> Agency | None:
        row = await agency_resolvers.get_agency(info.context, slug=slug)
        return Agency.from_row(row) if row else None

    @strawberry.field(description="Events, latest first.")
    async def events(self, info: Info[Context, None], first: int = 20) -> list[Event]:
        rows = await event_resolvers.list_events(info.context, first=first)
        return [Event.from_row(row) for row in rows]

    @strawberry.field(description="An event by slug.")
    async def event(self, info: Info[Context, None], slug: str) -> Event | None:
        row = await event_resolvers.get_event(info.context, slug=slug)
        return Event.from_row(row) if row else None

    @strawberry.field(description="Published articles, newest first.")
    async def articles(self, info: Info[Context, None], first: int = 20) -> list[Article]:
        rows = await article_resolvers.list_articles(info.context, first=first)
        return [Article.from_row(row) for row in rows]

    @strawberry.field(description="A published article by slug.")
    async def article(self, info: Info[Context, None], slug: str) -> Article | None:
        row = await article_resolvers.get_article(info.context, slug=slug)
        return Article.from_row(row) if row else None
