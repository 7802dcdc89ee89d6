"""Tag, election and election stage fields."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.db.models import Election, ElectionStage, Tag
from hub.db.repositories import taxonomy as repository
from hub.errors import InvalidInput
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


async def list_tags(ctx: Context, *, args: ConnectionArgs) -> Slice[Tag]:
    return await root_slice(ctx, select(Tag), repository.TAGS_BY_SLUG, args, lambda row: row[0])


async def list_stages(
    ctx: Context, *, active_on: date | None, election: str | None, args: ConnectionArgs
) -> Slice[ElectionStage]:
    if election is not None and await ctx.loaders.election_by_code.load(election) is None:
        raise InvalidInput(f"unknown election: `{election}`", field="election")
    statement = repository.stages_statement(active_on=active_on, election_code=election)
    return await root_slice(ctx, statement, repository.STAGES_IN_ORDER, args, lambda row: row[0])


async def current_stage(ctx: Context, *, today: date) -> ElectionStage | None:
    async with ctx.reads() as session:
        return await repository.latest_started_stage(session, on=today)


async def get_tag(ctx: Context, *, slug: str) -> Tag | None:
    async with ctx.reads() as session:
        return await repository.get_tag(session, slug=slug)


async def list_elections(ctx: Context) -> list[Election]:
    async with ctx.reads() as session:
        return await repository.list_elections(session)


async def get_election(ctx: Context, *, code: str) -> Election | None:
    return await ctx.loaders.election_by_code.load(code)


async def get_stage(ctx: Context, *, code: str) -> ElectionStage | None:
    return await ctx.loaders.stage_by_code.load(code)
