"""Region fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Region
from hub.db.repositories import region as repository

if TYPE_CHECKING:
    from hub.context import Context


async def list_regions(
    ctx: Context, *, level: str | None = None, parent_code: str | None = None
) -> list[Region]:
    async with ctx.sessions() as session:
        return await repository.list_regions(session, level=level, parent_code=parent_code)


async def get_region(ctx: Context, *, code: str) -> Region | None:
    return await ctx.loaders.region_by_code.load(code)
