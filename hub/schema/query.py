"""The root ``Query`` type: look-ups by global ID and natural key, lists, search."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from hub.context import Context, Loaders
from hub.filters import ArticleFilter
from hub.resolvers import agency as agency_resolvers
from hub.resolvers import article as article_resolvers
from hub.resolvers import event as event_resolvers
from hub.resolvers import person as person_resolvers
from hub.resolvers import region as region_resolvers
from hub.resolvers import search as search_resolvers
from hub.resolvers import taxonomy as taxonomy_resolvers
from hub.resolvers.filters import resolve_article_filter
from hub.resolvers.pagination import check_page_size
from hub.schema.agency import Agency
from hub.schema.article import Article, ArticleConnection
from hub.schema.compiled import look_up
from hub.schema.connection import After, Before, Connection, First, Last, PageInfo, page_args
from hub.schema.enums import RegionLevel
from hub.schema.event import Event
from hub.schema.filters import FilterArgument, OrderArgument, SearchArgument, article_query
from hub.schema.node import Node
from hub.schema.nodes import compiled_node, node_loader
from hub.schema.person import Person
from hub.schema.projection import PLANS, project_articles
from hub.schema.region import Region, region_or_none
from hub.schema.search import SearchConnection, SearchEdge, SearchKind
from hub.schema.searched_for import SearchedFor
from hub.schema.taxonomy import AgencyType, Election, ElectionStage, Tag


async def check_codes(
    info: Info[Context, None],
    *,
    region: str | None = None,
    agency: str | None = None,
    agency_type: str | None = None,
) -> ArticleFilter:
    """Natural keys given to a list checked like article filters (unknown ones are errors)."""
    return await resolve_article_filter(
        info.context, region=region, agency=agency, agency_type=agency_type, argument="arguments"
    )


SEARCH_NODES: dict[str, tuple[Callable[[Any], Node], Callable[[Loaders], DataLoader[int, Any]]]] = {
    "article": (Article.from_row, lambda loaders: loaders.article_by_id),
    "event": (Event.from_row, lambda loaders: loaders.event_by_id),
    "person": (Person.from_row, lambda loaders: loaders.person_by_id),
    "agency": (Agency.from_row, lambda loaders: loaders.agency_by_id),
}


@strawberry.type(description="Read access to the hub.")
class Query:
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        completed = await compiled_node(info, id)
        if completed is not None:  # one statement, no per-field resolvers
            return cast(Node, completed)
        return await node_loader(info, id, "id")

    @strawberry.field(description="Objects by global ID, in the same order; null where none.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        check_page_size(len(ids), maximum=info.context.settings.max_page_size, argument="ids")
        loads = [node_loader(info, value, "ids") for value in ids]
        return list(await asyncio.gather(*loads))

    @strawberry.field(description="A region by Kemendagri code, e.g. `64.71`.")
    async def region(self, info: Info[Context, None], code: str) -> Region | None:
        completed = await look_up(info, "Region", "code", code)
        if completed is not None:
            return cast(Region, completed)
        return await region_or_none(info, code)

    @strawberry.field(description="Regions in code order; filter by level or parent code.")
    async def regions(
        self,
        info: Info[Context, None],
        level: RegionLevel | None = None,
        parent_code: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Region]:
        page = await region_resolvers.list_regions(
            info.context,
            level=level.value if level else None,
            parent_code=parent_code,
            args=page_args(first, after, last, before),
        )
        return Connection.of(page.map(Region.from_row))

    @strawberry.field(description="An agency by slug.")
    async def agency(self, info: Info[Context, None], slug: str) -> Agency | None:
        completed = await look_up(info, "Agency", "slug", slug)
        if completed is not None:
            return cast(Agency, completed)
        row = await agency_resolvers.get_agency(info.context, slug=slug)
        return Agency.from_row(row) if row else None

    @strawberry.field(description="Agencies by name; filter by type code or region (subtree).")
    async def agencies(
        self,
        info: Info[Context, None],
        type: str | None = None,
        region: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Agency]:
        await check_codes(info, region=region, agency_type=type)
        page = await agency_resolvers.list_agencies(
            info.context,
            type_code=type,
            region_code=region,
            args=page_args(first, after, last, before),
        )
        return Connection.of(page.map(Agency.from_row))

    @strawberry.field(description="The kinds of agencies, by code.")
    async def agency_types(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AgencyType]:
        page = await agency_resolvers.list_agency_types(
            info.context, args=page_args(first, after, last, before)
        )
        return Connection.of(page.map(AgencyType.from_row))

    @strawberry.field(description="An event by slug.")
    async def event(self, info: Info[Context, None], slug: str) -> Event | None:
        completed = await look_up(info, "Event", "slug", slug)
        if completed is not None:
            return cast(Event, completed)
        row = await event_resolvers.get_event(info.context, slug=slug)
        return Event.from_row(row) if row else None

    @strawberry.field(
        description="Events, latest first; filter by region (subtree), organiser, time."
    )
    async def events(
        self,
        info: Info[Context, None],
        region: str | None = None,
        organiser: str | None = None,
        starts_after: Annotated[
            datetime | None, strawberry.argument(description="Starting at or after this time.")
        ] = None,
        starts_before: Annotated[
            datetime | None, strawberry.argument(description="Starting before this time.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Event]:
        checked = await check_codes(info, region=region, agency=organiser)
        page = await event_resolvers.list_events(
            info.context,
            region_code=region,
            organiser_id=checked.agency_id,
            starts_after=starts_after,
            starts_before=starts_before,
            args=page_args(first, after, last, before),
        )
        return Connection.of(page.map(Event.from_row))

    @strawberry.field(description="A person by slug.")
    async def person(self, info: Info[Context, None], slug: str) -> Person | None:
        completed = await look_up(info, "Person", "slug", slug)
        if completed is not None:
            return cast(Person, completed)
        row = await person_resolvers.get_person(info.context, slug=slug)
        return Person.from_row(row) if row else None

    @strawberry.field(description="People by name; filter by agency slug.")
    async def people(
        self,
        info: Info[Context, None],
        agency: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Person]:
        checked = await check_codes(info, agency=agency)
        page = await person_resolvers.list_people(
            info.context, agency_id=checked.agency_id, args=page_args(first, after, last, before)
        )
        return Connection.of(page.map(Person.from_row))

    @strawberry.field(description="A published article by slug.")
    async def article(self, info: Info[Context, None], slug: str) -> Article | None:
        completed = await look_up(info, "Article", "slug", slug)
        if completed is not None:
            return cast(Article, completed)
        row = await article_resolvers.get_article(info.context, slug=slug)
        return Article.from_row(row) if row else None

    @strawberry.field(
        description="Published articles: filter, search (Indonesian), order; newest first."
    )
    async def articles(
        self,
        info: Info[Context, None],
        filter: FilterArgument = None,
        search: SearchArgument = None,
        order_by: OrderArgument = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ArticleConnection:
        query = await article_query(info, filter, search, order_by)
        args = page_args(first, after, last, before)
        plan = PLANS.plan(info) if info.context.settings.projected_reads else None
        if plan is not None:  # plain data only: one statement, no per-field resolvers
            return cast(ArticleConnection, await project_articles(info, plan, query, args))
        page = await article_resolvers.list_articles(info.context, query=query, args=args)
        return ArticleConnection.of(page, query)

    @strawberry.field(description="A tag by slug.")
    async def tag(self, info: Info[Context, None], slug: str) -> Tag | None:
        completed = await look_up(info, "Tag", "slug", slug)
        if completed is not None:
            return cast(Tag, completed)
        row = await taxonomy_resolvers.get_tag(info.context, slug=slug)
        return Tag.from_row(row) if row else None

    @strawberry.field(description="Tags by slug.")
    async def tags(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Tag]:
        page = await taxonomy_resolvers.list_tags(
            info.context, args=page_args(first, after, last, before)
        )
        return Connection.of(page.map(Tag.from_row))

    @strawberry.field(description="An election stage by code.")
    async def election_stage(self, info: Info[Context, None], code: str) -> ElectionStage | None:
        completed = await look_up(info, "ElectionStage", "code", code)
        if completed is not None:
            return cast(ElectionStage, completed)
        row = await taxonomy_resolvers.get_stage(info.context, code=code)
        return ElectionStage.from_row(row) if row else None

    @strawberry.field(description="The elections, by voting day.")
    async def elections(self, info: Info[Context, None]) -> list[Election]:
        rows = await taxonomy_resolvers.list_elections(info.context)
        return [Election.from_row(row) for row in rows]

    @strawberry.field(description="An election by code, e.g. `pilkada_2024`.")
    async def election(self, info: Info[Context, None], code: str) -> Election | None:
        row = await taxonomy_resolvers.get_election(info.context, code=code)
        return Election.from_row(row) if row else None

    @strawberry.field(
        description="Election stages in calendar order; `activeOn`: only those running that "
        "day; `election`: only that election's (by code)."
    )
    async def election_stages(
        self,
        info: Info[Context, None],
        active_on: date | None = None,
        election: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ElectionStage]:
        page = await taxonomy_resolvers.list_stages(
            info.context,
            active_on=active_on,
            election=election,
            args=page_args(first, after, last, before),
        )
        return Connection.of(page.map(ElectionStage.from_row))

    @strawberry.field(
        description="The election stage running today (of overlapping ones, the latest "
        "started); null when none is."
    )
    async def current_election_stage(self, info: Info[Context, None]) -> ElectionStage | None:
        row = await taxonomy_resolvers.current_stage(info.context, today=date.today())
        return ElectionStage.from_row(row) if row else None

    @strawberry.field(
        description="Full-text search (Indonesian) across articles, events, people and "
        "agencies, best first."
    )
    async def search(
        self,
        info: Info[Context, None],
        query: str,
        kinds: list[SearchKind] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> SearchConnection:
        terms, page = await search_resolvers.search_everything(
            info.context,
            text=query,
            kinds=tuple(kind.value for kind in kinds) if kinds is not None else None,
            args=page_args(first, after, last, before),
        )
        loaded = await asyncio.gather(
            *(
                SEARCH_NODES[match.kind][1](info.context.loaders).load(match.id)
                for match in page.items
            )
        )
        edges = [
            SearchEdge(
                cursor=cursor,
                node=SEARCH_NODES[match.kind][0](row),  # type: ignore[arg-type]
                score=match.score,
            )
            for cursor, match, row in zip(page.cursors, page.items, loaded, strict=True)
            if row is not None
        ]
        return SearchConnection(
            edges=edges,
            page_info=PageInfo.of(page),
            searched_for=SearchedFor.of(terms.searched_for),
            slice=page,
        )
