"""Look up, in one statement, the values a subscription filter names (codes and slugs);
:class:`RememberedValues` remembers the ones that exist for a while."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Agency, AgencyType, ElectionStage, Event, Region, Tag
from hub.db.session import SessionFactory


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


KNOWN_AS: dict[str, str] = {
    "region_code": "region_exists",
    "agency_slug": "agency_id",
    "agency_type": "agency_type_exists",
    "stage_code": "stage_exists",
    "tag_slug": "tag_exists",
    "event_slug": "event_id",
}
"""Each value a filter may name, and the :class:`FilterValues` field that says it exists."""

REMEMBERED_AT_MOST = 50_000  # known values; beyond, the memory starts over


class RememberedValues:
    """``look_up`` with a memory: values found to exist are remembered for ``ttl`` seconds,
    so a subscription naming only remembered values reads nothing; identical look-ups at the
    same time (a burst of reconnects) share one statement. Unknown values are not
    remembered (one created meanwhile is found at once); a remembered one removed meanwhile
    is still accepted until it expires (its stream then simply matches nothing)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._known: dict[tuple[str, str], tuple[float, int | bool]] = {}
        self._asking: dict[tuple[tuple[str, str], ...], asyncio.Future[FilterValues]] = {}

    async def look_up(self, sessions: SessionFactory, **asked: str | None) -> FilterValues:
        wanted = {name: value for name, value in asked.items() if value is not None}
        now = time.monotonic()
        found: dict[str, int | bool] = {}
        for name, value in wanted.items():
            remembered = self._known.get((name, value))
            if remembered is not None and remembered[0] > now:
                found[KNOWN_AS[name]] = remembered[1]
        if len(found) == len(wanted):
            return FilterValues(**found)  # type: ignore[arg-type]
        question = tuple(sorted(wanted.items()))
        if (pending := self._asking.get(question)) is not None:
            return await asyncio.shield(pending)
        answer = self._asking[question] = asyncio.get_running_loop().create_future()
        try:
            async with sessions() as session:
                values = await look_up(session, **wanted)
        except BaseException as error:
            answer.set_exception(error)
            answer.exception()  # retrieved: whoever waits on it gets the error
            raise
        finally:
            del self._asking[question]
        answer.set_result(values)
        if len(self._known) > REMEMBERED_AT_MOST:
            self._known.clear()
        for name, value in wanted.items():
            known = getattr(values, KNOWN_AS[name])
            if self.ttl > 0 and known is not None and known is not False:
                self._known[name, value] = (now + self.ttl, known)
        return values
