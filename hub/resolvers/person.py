"""People fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.db.models import Person
from hub.db.repositories import person as repository
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


async def list_people(
    ctx: Context, *, agency_id: int | None, args: ConnectionArgs
) -> Slice[Person]:
    statement = repository.statement(agency_id=agency_id)
    return await root_slice(ctx, statement, repository.BY_NAME, args, lambda row: row[0])


async def get_person(ctx: Context, *, slug: str) -> Person | None:
    async with ctx.reads() as session:
        return await repository.get_by_slug(session, slug=slug)
