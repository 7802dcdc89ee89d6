"""Region fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Region
from hub.db.repositories import region as repository
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


async def list_regions(
    ctx: Context, *, level: str | None, parent_code: str | None, args: ConnectionArgs
) -> Slice[Region]:
    statement = repository.statement(level=level, parent_code=parent_code)
    return await root_slice(ctx, statement, repository.BY_CODE, args, lambda row: row[0])


async def get_region(ctx: Context, *, code: str) -> Region | None:
    return await ctx.loaders.region_by_code.load(code)
