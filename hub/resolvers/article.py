"""Article fields: lists with filters, search and ordering; look-ups; related coverage.

Visibility is decided by the repository (``visible_to``) for the context's viewer.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING

from hub.db import search
from hub.db.keyset import PageRows
from hub.db.loaders import HighlightKey, RelatedKey
from hub.db.models import Article
from hub.db.repositories import article as repository
from hub.db.repositories.article import FUZZY_SUFFIX, ArticleHit, ArticleOrder, ArticleQuery
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
from hub.resolvers.pagination import cursor_ordering_name

if TYPE_CHECKING:
    from hub.context import Context


def article_query(
    *,
    article_filter: ArticleFilter = NO_FILTER,
    search_text: str | None = None,
    order: ArticleOrder | None = None,
) -> ArticleQuery:
    """The query of an article list; ordered by relevance when searching, else newest first."""
    words = search.search_words(search_text) if search_text is not None else ()
    if order is None:
        order = ArticleOrder.RELEVANCE if words else ArticleOrder.NEWEST
    if order is ArticleOrder.RELEVANCE and not words:
        raise InvalidInput("ordering by relevance needs a `search`", field="orderBy")
    return ArticleQuery(filter=article_filter, words=words, order=order)


def continued(query: ArticleQuery, args: ConnectionArgs) -> ArticleQuery:
    """The query a cursor continues: fuzzy when the cursor comes from a fuzzy page."""
    name = cursor_ordering_name(args.after) or cursor_ordering_name(args.before) or ""
    return replace(query, fuzzy=True) if query.words and name.endswith(FUZZY_SUFFIX) else query


def retry_fuzzy(query: ArticleQuery, args: ConnectionArgs, found: int) -> ArticleQuery | None:
    """The typo-tolerant query to run when an exact search's first page found nothing."""
    first_page = args.after is None and args.before is None
    if query.words and not query.fuzzy and first_page and found == 0:
        return replace(query, fuzzy=True)
    return None


async def list_articles(
    ctx: Context, *, query: ArticleQuery, args: ConnectionArgs
) -> tuple[ArticleQuery, Slice[ArticleHit]]:
    """A page, and the query that made it (typo-tolerant when the exact one found nothing)."""
    query = continued(query, args)
    statement = repository.statement(ctx.viewer, query)
    page = await root_slice(
        ctx, statement, query.ordering(), args, repository.hit, query.plan_binds()
    )
    fuzzy = retry_fuzzy(query, args, len(page.items))
    if fuzzy is not None:
        return await list_articles(ctx, query=fuzzy, args=args)
    return query, page


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
