"""Article filter input, ordering enum, and the conversion of article list arguments.

``ArticleFilter`` (input) holds natural keys as clients know them; ``article_query`` checks
them (``hub/resolvers/filters.py``: unknown codes are errors naming the field) and returns the
repository's ``ArticleQuery``. Live feeds reuse the same input and validation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db.repositories.article import ArticleOrder, ArticleQuery
from hub.resolvers import article as resolvers
from hub.resolvers.filters import resolve_article_filter
from hub.schema.enums import ArticleCategory, Language

strawberry.enum(ArticleOrder, description="Order of an article list.")


@strawberry.input(
    description="Conditions on articles, combined with AND. Unknown codes or slugs are errors."
)
class ArticleFilter:
    region: str | None = strawberry.field(
        default=None,
        description="Kemendagri code; includes every region below it (a province's feed "
        "includes its regencies' and cities' articles).",
    )
    agency: str | None = strawberry.field(default=None, description="Source agency slug.")
    agency_type: str | None = strawberry.field(
        default=None, description="Agency type code of the source agency."
    )
    event: str | None = strawberry.field(default=None, description="Event slug.")
    election_stage: str | None = strawberry.field(default=None, description="Election stage code.")
    tag: str | None = strawberry.field(default=None, description="Tag slug.")
    person: str | None = strawberry.field(
        default=None, description="Slug of a person quoted or mentioned."
    )
    category: ArticleCategory | None = strawberry.field(default=None, description="Kind.")
    language: Language | None = strawberry.field(default=None, description="Language.")
    published_after: datetime | None = strawberry.field(
        default=None, description="Published at or after this time."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Published before this time."
    )


FILTER = "Conditions on the articles (AND)."
SEARCH = (
    "Indonesian full-text search over title, summary and body: stemmed, stop words ignored, "
    "numbers as written (`434.197`, `2,5`, `00.00`, `14/2/2024`), abbreviations and their "
    "expansions alike (`Pemilu`, `pemilihan umum`), titles optional, misspelled words "
    "corrected (see `searchedFor`)."
)
ORDER_BY = "Order; default RELEVANCE when searching, else NEWEST."
FilterArgument = Annotated[ArticleFilter | None, strawberry.argument(description=FILTER)]
SearchArgument = Annotated[str | None, strawberry.argument(description=SEARCH)]
OrderArgument = Annotated[ArticleOrder | None, strawberry.argument(description=ORDER_BY)]


async def article_query(
    info: Info[Context, None],
    article_filter: ArticleFilter | None,
    search: str | None,
    order_by: ArticleOrder | None,
) -> ArticleQuery:
    validated = None
    if article_filter is not None:
        validated = await resolve_article_filter(
            info.context,
            region=article_filter.region,
            agency=article_filter.agency,
            agency_type=article_filter.agency_type,
            event=article_filter.event,
            election_stage=article_filter.election_stage,
            tag=article_filter.tag,
            person=article_filter.person,
            category=article_filter.category,
            language=article_filter.language,
            published_after=article_filter.published_after,
            published_before=article_filter.published_before,
        )
    if validated is None:
        return await resolvers.article_query(info.context, search_text=search, order=order_by)
    return await resolvers.article_query(
        info.context, article_filter=validated, search_text=search, order=order_by
    )
