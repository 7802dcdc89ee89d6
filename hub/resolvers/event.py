"""Event fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Event
from hub.db.repositories import event as repository
from hub.resolvers.pagination import check_page_size

if TYPE_CHECKING:
    from hub.context import Context


async def list_events(ctx: Context, *, first: int) -> list[Event]:
    limit = check_page_size(first, maximum=ctx.settings.max_page_size)
    async with ctx.sessions() as session:
        return await repository.list_events(session, limit=limit)


async def get_event(ctx: Context, *, slug: str) -> Event | None:
    async with ctx.sessions() as session:
        return await repository.get_by_slug(session, slug=slug)
