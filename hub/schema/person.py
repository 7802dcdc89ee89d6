"""GraphQL ``Person``: speakers at events and sources quoted in articles, with their quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import global_id
from hub.resolvers.connections import child_slice
from hub.schema.agency import Agency, agency_or_none
from hub.schema.connection import After, Before, Connection, First, Last, page_args
from hub.schema.nested import article_list
from hub.schema.node import Node

if TYPE_CHECKING:
    from hub.schema.article import Article
    from hub.schema.event import Event


@strawberry.type(description="What a person said, as quoted in an article.")
class Quote:
    text: str = strawberry.field(description="The quote.")
    article_id: strawberry.Private[int]

    @strawberry.field(description="The article quoting it.")
    async def article(
        self, info: Info[Context, None]
    ) -> Annotated[Article, strawberry.lazy("hub.schema.article")] | None:
        from hub.schema.article import article_or_none

        return await article_or_none(info, self.article_id)

    @classmethod
    def from_row(cls, row: models.ArticlePerson) -> Quote:
        return cls(text=row.quote or "", article_id=row.article_id)


@strawberry.type(description="A speaker at events or a source quoted in articles.")
class Person(Node):
    key: strawberry.Private[int]
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
            id=strawberry.ID(global_id.encode("Person", row.id)),
            key=row.id,
            slug=row.slug,
            name=row.name,
            position=row.position,
            agency_id=row.agency_id,
            version=row.version,
        )

    @strawberry.field(description="The agency the person works for.")
    async def agency(self, info: Info[Context, None]) -> Agency | None:
        return await agency_or_none(info, self.agency_id)

    @strawberry.field(description="Events the person spoke at, latest first.")
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
            info.context, "person.events", self.key, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Event.from_row))

    articles = article_list(
        "person.articles",
        lambda person: person.key,
        "Published articles quoting or mentioning the person.",
    )

    @strawberry.field(description="The person's quotes in published articles, latest first.")
    async def quotes(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Quote]:
        page = await child_slice(
            info.context, "person.quotes", self.key, None, page_args(first, after, last, before)
        )
        return Connection.of(page.map(Quote.from_row))
