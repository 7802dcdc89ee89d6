"""Agency fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Agency
from hub.db.repositories import agency as repository
from hub.resolvers.pagination import check_page_size

if TYPE_CHECKING:
    from hub.context import Context


async def list_agencies(ctx: Context, *, first: int) -> list[Agency]:
    limit = check_page_size(first, maximum=ctx.settings.max_page_size)
    async with ctx.sessions() as session:
        return await repository.list_agencies(session, limit=limit)


async def get_agency(ctx: Context, *, slug: str) -> Agency | None:
    async with ctx.sessions() as session:
        return await repository.get_by_slug(session, slug=slug)
