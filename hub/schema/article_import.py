"""``importArticle``: content already published elsewhere, with its original date."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.resolvers import article_import as resolvers
from hub.schema.article import Article
from hub.schema.article_mutations import ArticleContentInput, with_people
from hub.schema.payloads import UserError, all_fields, attempt
from hub.vocabulary import ImportOutcome

strawberry.enum(
    ImportOutcome,
    description="What an import did. UNCHANGED: the same content was imported before; "
    "nothing was written.",
)


@strawberry.input(
    description="An article already published elsewhere. Importing the same `canonicalUrl` "
    "again for the agency updates that article; it never adds a second one."
)
class ImportArticleInput(ArticleContentInput):
    canonical_url: str = strawberry.field(description="Where the article was first published.")
    published_at: datetime = strawberry.field(
        description="When it was first published, with its UTC offset: lists, date filters "
        "and related coverage use this date."
    )
    featured_image_url: str | None = strawberry.field(
        default=None, description="Its lead image, where it was published."
    )
    origin: str | None = strawberry.field(
        default=None,
        description="Where the content comes from, recorded in the history (e.g. the site or "
        "archive imported); default: the canonical URL.",
    )
    stream: bool = strawberry.field(
        default=False,
        description="Deliver it to live subscribers too (`articlePublished`, kind IMPORTED). "
        "Off by default, so that backfilling an archive does not flood them.",
    )


@strawberry.type
class ImportArticlePayload:
    article: Article | None
    outcome: ImportOutcome | None = strawberry.field(description="Null when refused.")
    errors: list[UserError]


@strawberry.type
class ArticleImportMutation:
    @strawberry.mutation(
        description="Bring in an article published elsewhere, approved, with its original date "
        "(the agency's editors and admins, or its API keys with IMPORT_ARTICLES)."
    )
    async def import_article(
        self, info: Info[Context, None], input: ImportArticleInput
    ) -> ImportArticlePayload:
        keys = ("agency_slug", "canonical_url", "published_at", "origin", "stream")
        imported, errors = await attempt(
            resolvers.import_article(
                info.context,
                agency_slug=input.agency_slug,
                canonical_url=input.canonical_url,
                published_at=input.published_at,
                fields=with_people(all_fields(input, skip=keys)),
                origin=input.origin,
                stream=input.stream,
            )
        )
        if imported is None:
            return ImportArticlePayload(article=None, outcome=None, errors=errors)
        return ImportArticlePayload(
            article=Article.from_row(imported.article), outcome=imported.outcome, errors=errors
        )
