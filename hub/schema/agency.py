"""GraphQL ``Agency``: a PR office, election body or media partner, and what it publishes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import global_id
from hub.resolvers.connections import child_slice
from hub.schema.connection import After, Before, Connection, First, Last, page_args
from hub.schema.nested import article_list
from hub.schema.node import Node
from hub.schema.region import Region, region_or_none
from hub.schema.taxonomy import AgencyType

if TYPE_CHECKING:
    from hub.schema.event import Event
    from hub.schema.person import Person


@strawberry.type(description="A public-relations office, election body or media partner.")
class Agency(Node):
    key: strawberry.Private[int]
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
            id=strawberry.ID(global_id.encode("Agency", row.id)),
            key=row.id,
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

    articles = article_list(
        "agency.articles",
        lambda agency: agency.key,
        "Published articles of the agency.",
    )

    @strawberry.field(description="Events the agency organises, latest first.")
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
            info.context, "agency.events", self.key, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Event.from_row))

    @strawberry.field(description="People working for the agency, by name.")
    async def people(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Person, strawberry.lazy("hub.schema.person")]]:
        from hub.schema.person import Person

        page = await child_slice(
            info.context, "agency.people", self.key, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Person.from_row))


async def agency_or_none(info: Info[Context, None], agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    row = await info.context.loaders.agency_by_id.load(agency_id)
    return Agency.from_row(row) if row else None
