"""Article fields. Visibility is decided by the repository for the context's viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Article
from hub.db.repositories import article as repository
from hub.resolvers.pagination import check_page_size

if TYPE_CHECKING:
    from hub.context import Context


async def list_articles(ctx: Context, *, first: int) -> list[Article]:
    limit = check_page_size(first, maximum=ctx.settings.max_page_size)
    async with ctx.sessions() as session:
        return await repository.list_latest(session, viewer=ctx.viewer, limit=limit)


async def get_article(ctx: Context, *, slug: str) -> Article | None:
    async with ctx.sessions() as session:
        return await repository.get_by_slug(session, viewer=ctx.viewer, slug=slug)
