"""GraphQL ``Article``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.schema.agency import Agency, agency_or_none
from hub.schema.enums import ArticleCategory, ArticleStatus, Language
from hub.schema.event import Event, event_or_none
from hub.schema.region import Region
from hub.schema.taxonomy import ElectionStage, Tag

if TYPE_CHECKING:
    from hub.schema.article_history import ArticleTransition


@strawberry.type(description="A news item, press release or announcement by an agency.")
class Article:
    id: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly title.")
    title: str = strawberry.field(description="Headline.")
    summary: str | None = strawberry.field(description="One-paragraph summary.")
    body: str = strawberry.field(description="Body as sanitised HTML.")
    byline: str | None = strawberry.field(description="Author as credited.")
    category: ArticleCategory = strawberry.field(description="Kind of article.")
    language: Language = strawberry.field(description="Language of the text.")
    status: ArticleStatus = strawberry.field(description="Workflow status.")
    canonical_url: str | None = strawberry.field(description="Original location of the text.")
    published_at: datetime | None = strawberry.field(description="When it was approved.")
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
        return cls(
            id=row.id,
            slug=row.slug,
            title=row.title,
            summary=row.summary,
            body=row.body,
            byline=row.byline,
            category=ArticleCategory(row.category),
            language=Language(row.language),
            status=ArticleStatus(row.status),
            canonical_url=row.canonical_url,
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

    @strawberry.field(description="Regions the article covers.")
    async def regions(self, info: Info[Context, None]) -> list[Region]:
        rows = await info.context.loaders.regions_by_article_id.load(self.id)
        return [Region.from_row(row) for row in rows]

    @strawberry.field(description="Labels of the article.")
    async def tags(self, info: Info[Context, None]) -> list[Tag]:
        rows = await info.context.loaders.tags_by_article_id.load(self.id)
        return [Tag.from_row(row) for row in rows]

    @strawberry.field(description="Election stages the article concerns, in calendar order.")
    async def election_stages(self, info: Info[Context, None]) -> list[ElectionStage]:
        rows = await info.context.loaders.stages_by_article_id.load(self.id)
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

        return await article_history(info, self.id, self.source_agency_id)
