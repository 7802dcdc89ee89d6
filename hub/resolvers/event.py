"""Event fields."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hub import reads
from hub.db.models import Event
from hub.db.repositories import event as repository
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


async def list_events(
    ctx: Context,
    *,
    region_code: str | None,
    organiser_id: int | None,
    starts_after: datetime | None,
    starts_before: datetime | None,
    args: ConnectionArgs,
) -> Slice[Event]:
    reads.event_list()
    statement = repository.statement(
        region_code=region_code,
        organiser_id=organiser_id,
        starts_after=starts_after,
        starts_before=starts_before,
    )
    return await root_slice(ctx, statement, repository.LATEST, args, lambda row: row[0])


async def get_event(ctx: Context, *, slug: str) -> Event | None:
    reads.entity(reads.EVENT_SLUG, slug)
    async with ctx.reads() as session:
        return await repository.get_by_slug(session, slug=slug)
