"""Article fields: lists with filters, search and ordering; look-ups; related coverage.

Visibility is decided by the repository (``visible_to``) for the context's viewer.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hub import reads
from hub.db.keyset import PageRows
from hub.db.loaders import HighlightKey, RelatedKey
from hub.db.models import Article
from hub.db.repositories import article as repository
from hub.db.repositories.article import ArticleHit, ArticleOrder, ArticleQuery
from hub.db.repositories.related_coverage import CURSOR, Related
from hub.errors import InvalidInput
from hub.filters import NO_FILTER, ArticleFilter
from hub.resolvers.connections import (
    ConnectionArgs,
    Slice,
    child_slice,
    page_of,
    root_slice,
    slice_of,
)
from hub.resolvers.search import understand

if TYPE_CHECKING:
    from hub.context import Context


async def article_query(
    ctx: Context,
    *,
    article_filter: ArticleFilter = NO_FILTER,
    search_text: str | None = None,
    order: ArticleOrder | None = None,
) -> ArticleQuery:
    """The query of an article list; ordered by relevance when searching, else newest first.
    The search is understood as Indonesian is written, misspelled words corrected."""
    terms = await understand(ctx, search_text) if search_text is not None else None
    if order is None:
        order = ArticleOrder.RELEVANCE if terms else ArticleOrder.NEWEST
    if order is ArticleOrder.RELEVANCE and terms is None:
        raise InvalidInput("ordering by relevance needs a `search`", field="orderBy")
    if terms is None:
        return ArticleQuery(filter=article_filter, order=order)
    return ArticleQuery(
        filter=article_filter, words=terms.terms, order=order, searched_for=terms.searched_for
    )


# The filter dimension of each nested article list's parent (see ``hub/db/nested.py``).
PARENT_DIMENSIONS = {
    "region.articles": "region_code",
    "agency.articles": "agency_id",
    "event.articles": "event_id",
    "person.articles": "person_id",
    "stage.articles": "stage_code",
    "tag.articles": "tag_id",
}


def reading_list(query: ArticleQuery, *, parent: tuple[str, Hashable] | None = None) -> None:
    """Record an article list evaluated for the response cache: its filter (narrowed to
    ``parent``, a nested list's ``(name, key)``), or any article when it searches (how a
    misspelled word is understood depends on every published text)."""
    if query.words or query.searched_for is not None:
        reads.article_list(None)
    elif parent is None:
        reads.article_list(query.filter)
    else:
        name, key = parent
        # The parent's condition replaces the filter's own on that dimension: at least as
        # wide as the list, which is what invalidation needs.
        narrowed: dict[str, Any] = {PARENT_DIMENSIONS[name]: key}
        reads.article_list(replace(query.filter, **narrowed))


async def list_articles(
    ctx: Context, *, query: ArticleQuery, args: ConnectionArgs
) -> Slice[ArticleHit]:
    reading_list(query)
    statement = repository.statement(ctx.viewer, query)
    return await root_slice(
        ctx, statement, query.ordering(), args, repository.hit, query.plan_binds()
    )


async def child_articles(
    ctx: Context, *, name: str, parent: Hashable, query: ArticleQuery, args: ConnectionArgs
) -> Slice[ArticleHit]:
    """An article list under a parent, e.g. ``agency.articles``."""
    reading_list(query, parent=(name, parent))
    return await child_slice(ctx, name, parent, query, args)


async def get_article(ctx: Context, *, slug: str) -> Article | None:
    reads.entity(reads.ARTICLE_SLUG, slug)
    async with ctx.reads() as session:
        return await repository.get_by_slug(session, viewer=ctx.viewer, slug=slug)


async def related_coverage(
    ctx: Context, *, article_id: int, args: ConnectionArgs
) -> Slice[Related]:
    reads.article_list(None)  # a new approval anywhere may be related
    page = page_of(ctx, CURSOR, args)
    rows: PageRows[Related] = await ctx.loaders.related_by_article.load(
        RelatedKey(article_id, page)
    )

    async def count() -> int:
        raise InvalidInput("related coverage has no total count", field="totalCount")

    return slice_of(rows, CURSOR, count)


async def highlight(
    ctx: Context, *, article_id: int, words: tuple[str, ...]
) -> tuple[str, str] | None:
    """Title and body fragments with the search words marked."""
    return await ctx.loaders.highlights_by_article.load(HighlightKey(article_id, words))
