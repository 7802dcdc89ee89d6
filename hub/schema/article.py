"""GraphQL ``Article``, its connections (with search scores and highlights), related coverage."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub import reads
from hub.context import Context
from hub.db import models
from hub.db.repositories.article import ArticleHit, ArticleOrder, ArticleQuery
from hub.db.repositories.related_coverage import Related
from hub.resolvers import article as resolvers
from hub.resolvers import global_id
from hub.resolvers.connections import Slice
from hub.schema.agency import Agency, agency_or_none
from hub.schema.connection import After, Before, First, Last, PageInfo, page_args
from hub.schema.enums import (
    ArticleCategory,
    ArticleStatus,
    Language,
    PersonMention,
    RelatedReason,
)
from hub.schema.event import Event, event_or_none
from hub.schema.filters import ArticleFilter, article_query
from hub.schema.node import Node
from hub.schema.region import Region
from hub.schema.searched_for import SearchedFor
from hub.schema.taxonomy import ElectionStage, Tag

if TYPE_CHECKING:
    from hub.schema.article_history import ArticleTransition
    from hub.schema.person import Person


@strawberry.type(description="A person quoted or mentioned in an article.")
class ArticlePerson:
    kind: PersonMention = strawberry.field(description="Quoted or only mentioned.")
    quote: str | None = strawberry.field(description="The quote, when quoted.")
    person_id: strawberry.Private[int]

    @strawberry.field(description="Who.")
    async def person(
        self, info: Info[Context, None]
    ) -> Annotated[Person, strawberry.lazy("hub.schema.person")]:
        from hub.schema.person import Person

        row = await info.context.loaders.person_by_id.load(self.person_id)
        assert row is not None  # enforced by a foreign key
        return Person.from_row(row)


@strawberry.type(description="A news item, press release or announcement by an agency.")
class Article(Node):
    key: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly title.")
    title: str = strawberry.field(description="Headline.")
    summary: str | None = strawberry.field(description="One-paragraph summary.")
    body: str = strawberry.field(description="Body as sanitised HTML.")
    byline: str | None = strawberry.field(description="Author as credited.")
    category: ArticleCategory = strawberry.field(description="Kind of article.")
    language: Language = strawberry.field(description="Language of the text.")
    status: ArticleStatus = strawberry.field(description="Workflow status.")
    canonical_url: str | None = strawberry.field(description="Original location of the text.")
    featured_image_url: str | None = strawberry.field(
        description="Lead image where the article was first published (imported articles)."
    )
    published_at: datetime | None = strawberry.field(
        description="When it was published; for an imported article, where it first appeared."
    )
    view_count: int = strawberry.field(description="How often it has been read.")
    version: int = strawberry.field(
        description="Edit counter; an update or workflow action must send the version it saw."
    )
    retracted_at: datetime | None = strawberry.field(description="When it was retracted.")
    retraction_reason: str | None = strawberry.field(description="Public reason of a retraction.")
    corrected_at: datetime | None = strawberry.field(description="When it was last corrected.")
    correction_note: str | None = strawberry.field(description="Public note of the correction.")
    source_agency_id: strawberry.Private[int]
    event_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Article) -> Article:
        reads.entity(reads.ARTICLE, row.id)
        return cls(
            id=strawberry.ID(global_id.encode("Article", row.id)),
            key=row.id,
            slug=row.slug,
            title=row.title,
            summary=row.summary,
            body=row.body,
            byline=row.byline,
            category=ArticleCategory(row.category),
            language=Language(row.language),
            status=ArticleStatus(row.status),
            canonical_url=row.canonical_url,
            featured_image_url=row.featured_image_url,
            published_at=row.published_at,
            view_count=row.view_count,
            version=row.version,
            retracted_at=row.retracted_at,
            retraction_reason=row.retraction_reason,
            corrected_at=row.corrected_at,
            correction_note=row.correction_note,
            source_agency_id=row.source_agency_id,
            event_id=row.event_id,
        )

    @strawberry.field(description="The agency that published the article.")
    async def agency(self, info: Info[Context, None]) -> Agency:
        agency = await agency_or_none(info, self.source_agency_id)
        assert agency is not None  # enforced by a foreign key
        return agency

    @strawberry.field(description="The event the article reports on.")
    async def event(self, info: Info[Context, None]) -> Event | None:
        return await event_or_none(info, self.event_id)

    @strawberry.field(description="Regions the article covers, by code.")
    async def regions(self, info: Info[Context, None]) -> list[Region]:
        rows = await info.context.loaders.regions_by_article_id.load(self.key)
        return [Region.from_row(row) for row in rows]

    @strawberry.field(description="Labels of the article, by slug.")
    async def tags(self, info: Info[Context, None]) -> list[Tag]:
        rows = await info.context.loaders.tags_by_article_id.load(self.key)
        return [Tag.from_row(row) for row in rows]

    @strawberry.field(description="Election stages the article concerns, in calendar order.")
    async def election_stages(self, info: Info[Context, None]) -> list[ElectionStage]:
        rows = await info.context.loaders.stages_by_article_id.load(self.key)
        return [ElectionStage.from_row(row) for row in rows]

    @strawberry.field(
        description="Workflow log, oldest first: who moved the article from which status to "
        "which, when and why. Null unless the viewer belongs to the article's agency or "
        "reviews its submissions."
    )
    async def history(
        self, info: Info[Context, None]
    ) -> list[Annotated[ArticleTransition, strawberry.lazy("hub.schema.article_history")]] | None:
        from hub.schema.article_history import article_history

        return await article_history(info, self.key, self.source_agency_id)

    @strawberry.field(description="People quoted (with their quotes) or mentioned, in order.")
    async def people(self, info: Info[Context, None]) -> list[ArticlePerson]:
        rows = await info.context.loaders.mentions_by_article_id.load(self.key)
        return [
            ArticlePerson(kind=PersonMention(row.kind), quote=row.quote, person_id=row.person_id)
            for row in rows
        ]

    @strawberry.field(
        description="Other agencies' articles about the same event or story, best first: "
        "those linked to the same event, then those whose text tells the same story (shared "
        "distinctive words, names and numbers, published within days of each other)."
    )
    async def related_coverage(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> RelatedArticleConnection:
        page = await resolvers.related_coverage(
            info.context, article_id=self.key, args=page_args(first, after, last, before)
        )
        return RelatedArticleConnection.of(page)


@strawberry.type(description="Search words found in an article, marked with `<mark>`.")
class SearchHighlight:
    title: str = strawberry.field(description="The title with the matched words marked.")
    snippet: str = strawberry.field(description="Fragments of the body around the matches.")


@strawberry.type(description="An article in a list, with its cursor and search relevance.")
class ArticleEdge:
    cursor: str = strawberry.field(description="Opaque position of the article in its list.")
    node: Article = strawberry.field(description="The article.")
    score: float | None = strawberry.field(
        description="Search relevance (title matches score above 2); null without `search`."
    )
    words: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Matched words in title and body; null without `search`.")
    async def highlight(self, info: Info[Context, None]) -> SearchHighlight | None:
        if not self.words:
            return None
        found = await resolvers.highlight(info.context, article_id=self.node.key, words=self.words)
        return SearchHighlight(title=found[0], snippet=found[1]) if found else None


@strawberry.type(description="A page of articles (Relay connection).")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The articles with their cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    searched_for: SearchedFor | None = strawberry.field(
        description="How `search` was understood (misspelled words corrected); null without it."
    )
    slice: strawberry.Private[Slice[ArticleHit]]

    @strawberry.field(description="Number of articles in the whole list (one more query).")
    async def total_count(self) -> int:
        return await self.slice.count()

    @strawberry.field(description="The articles of the page, without cursors.")
    def nodes(self) -> list[Article]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Slice[ArticleHit], query: ArticleQuery) -> ArticleConnection:
        edges = [
            ArticleEdge(
                cursor=cursor,
                node=Article.from_row(hit.article),
                score=hit.score,
                words=query.words,
            )
            for cursor, hit in zip(page.cursors, page.items, strict=True)
        ]
        searched = SearchedFor.of(query.searched_for) if query.searched_for else None
        return cls(edges=edges, page_info=PageInfo.of(page), searched_for=searched, slice=page)


@strawberry.type(description="Another agency's article about the same event or story.")
class RelatedArticleEdge:
    cursor: str = strawberry.field(description="Opaque position in the list.")
    node: Article = strawberry.field(description="The related article.")
    score: float = strawberry.field(description="Text similarity (0-1), plus 1 for the same event.")
    reason: RelatedReason = strawberry.field(description="Same event, or same story.")
    shared: list[str] = strawberry.field(
        description="Names and numbers both articles mention, the most distinctive first."
    )


@strawberry.type(description="Related coverage, best first (Relay connection).")
class RelatedArticleConnection:
    edges: list[RelatedArticleEdge] = strawberry.field(description="Related articles.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")

    @classmethod
    def of(cls, page: Slice[Related]) -> RelatedArticleConnection:
        edges = [
            RelatedArticleEdge(
                cursor=cursor,
                node=Article.from_row(related.article),
                score=related.score,
                reason=related.reason,
                shared=list(related.shared),
            )
            for cursor, related in zip(page.cursors, page.items, strict=True)
        ]
        return cls(edges=edges, page_info=PageInfo.of(page))


async def article_or_none(info: Info[Context, None], article_id: int | None) -> Article | None:
    if article_id is None:
        return None
    row = await info.context.loaders.article_by_id.load(article_id)
    return Article.from_row(row) if row else None


async def nested_articles(
    info: Info[Context, None],
    name: str,
    parent: Hashable,
    article_filter: ArticleFilter | None,
    search: str | None,
    order_by: ArticleOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> ArticleConnection:
    """The article list ``name`` (e.g. ``agency.articles``) under ``parent``."""
    query = await article_query(info, article_filter, search, order_by)
    page = await resolvers.child_articles(
        info.context,
        name=name,
        parent=parent,
        query=query,
        args=page_args(first, after, last, before),
    )
    return ArticleConnection.of(page, query)
