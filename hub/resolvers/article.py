"""Article fields: lists with filters, search and ordering; look-ups; related coverage.

Visibility is decided by the repository (``visible_to``) for the context's viewer.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

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


async def list_articles(
    ctx: Context, *, query: ArticleQuery, args: ConnectionArgs
) -> Slice[ArticleHit]:
    statement = repository.statement(ctx.viewer, query)
    return await root_slice(
        ctx, statement, query.ordering(), args, repository.hit, query.plan_binds()
    )


async def child_articles(
    ctx: Context, *, name: str, parent: Hashable, query: ArticleQuery, args: ConnectionArgs
) -> Slice[ArticleHit]:
    """An article list under a parent, e.g. ``agency.articles``."""
    return await child_slice(ctx, name, parent, query, args)


async def get_article(ctx: Context, *, slug: str) -> Article | None:
    async with ctx.reads() as session:
        return await repository.get_by_slug(session, viewer=ctx.viewer, slug=slug)


async def related_coverage(
    ctx: Context, *, article_id: int, args: ConnectionArgs
) -> Slice[Related]:
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
