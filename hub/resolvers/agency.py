"""Agency fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.db.models import Agency, AgencyType
from hub.db.repositories import agency as repository
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


async def list_agencies(
    ctx: Context, *, type_code: str | None, region_code: str | None, args: ConnectionArgs
) -> Slice[Agency]:
    statement = repository.statement(type_code=type_code, region_code=region_code)
    return await root_slice(ctx, statement, repository.BY_NAME, args, lambda row: row[0])


async def list_agency_types(ctx: Context, *, args: ConnectionArgs) -> Slice[AgencyType]:
    statement = select(AgencyType)
    return await root_slice(ctx, statement, repository.TYPES_BY_CODE, args, lambda row: row[0])


async def get_agency(ctx: Context, *, slug: str) -> Agency | None:
    async with ctx.reads() as session:
        return await repository.get_by_slug(session, slug=slug)
