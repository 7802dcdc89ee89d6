"""Event queries: look-ups, lists (latest first), conditions for filters and nested lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.keyset import Ordering
from hub.db.models import Event, EventSpeaker
from hub.db.repositories.region import in_subtree

LATEST = Ordering("latest", (Event.starts_at, Event.id), True, (datetime, int))


def with_speaker(person_id: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(EventSpeaker.event_id == Event.id, EventSpeaker.person_id == person_id)
        .correlate_except(EventSpeaker)
    )


def statement(
    *,
    region_code: str | None = None,
    organiser_id: int | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
) -> Select[Any]:
    query = select(Event)
    if region_code is not None:
        query = query.where(in_subtree(Event.region_code, region_code))
    if organiser_id is not None:
        query = query.where(Event.organiser_id == organiser_id)
    if starts_after is not None:
        query = query.where(Event.starts_at >= starts_after)
    if starts_before is not None:
        query = query.where(Event.starts_at < starts_before)
    return query


async def get_by_slug(session: AsyncSession, *, slug: str) -> Event | None:
    return (await session.scalars(select(Event).where(Event.slug == slug))).one_or_none()
