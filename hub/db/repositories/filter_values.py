"""Look up, in one statement, the values a subscription filter names (codes and slugs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Agency, AgencyType, ElectionStage, Event, Region, Tag


@dataclass(frozen=True)
class FilterValues:
    """What exists: ``None`` for an id / ``False`` for a code that was asked for and is
    unknown (and for what was not asked for)."""

    region_exists: bool = False
    agency_id: int | None = None
    agency_type_exists: bool = False
    stage_exists: bool = False
    tag_exists: bool = False
    event_id: int | None = None


async def look_up(
    session: AsyncSession,
    *,
    region_code: str | None = None,
    agency_slug: str | None = None,
    agency_type: str | None = None,
    stage_code: str | None = None,
    tag_slug: str | None = None,
    event_slug: str | None = None,
) -> FilterValues:
    columns: dict[str, ColumnElement[Any]] = {}
    if region_code is not None:
        columns["region_exists"] = exists().where(Region.code == region_code)
    if agency_slug is not None:
        columns["agency_id"] = select(Agency.id).where(Agency.slug == agency_slug).scalar_subquery()
    if agency_type is not None:
        columns["agency_type_exists"] = exists().where(AgencyType.code == agency_type)
    if stage_code is not None:
        columns["stage_exists"] = exists().where(ElectionStage.code == stage_code)
    if tag_slug is not None:
        columns["tag_exists"] = exists().where(Tag.slug == tag_slug)
    if event_slug is not None:
        columns["event_id"] = select(Event.id).where(Event.slug == event_slug).scalar_subquery()
    if not columns:
        return FilterValues()
    statement = select(*(column.label(name) for name, column in columns.items()))
    row = (await session.execute(statement)).one()
    return FilterValues(**row._asdict())
