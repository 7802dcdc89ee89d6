"""Batch functions behind the request-scoped DataLoaders.

Each takes the keys of one batch and returns results aligned with them (one result per key,
``None`` or ``[]`` when missing). Each batch runs one statement in its own short session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from hub.auth import Viewer
from hub.db.models import (
    Agency,
    AgencyType,
    Article,
    ElectionStage,
    Event,
    EventSpeaker,
    Person,
    Region,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.db.repositories.article import visible_to
from hub.db.session import SessionFactory

K = TypeVar("K", bound=Hashable)
M = TypeVar("M")


async def by_key(
    sessions: SessionFactory, model: type[M], column: InstrumentedAttribute[K], keys: Sequence[K]
) -> list[M | None]:
    """One row per key (``None`` when absent), looked up by a unique column."""
    async with sessions() as session:
        rows = (await session.scalars(select(model).where(column.in_(keys)))).all()
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def grouped(
    sessions: SessionFactory, statement: Select[Any, Any], keys: Sequence[K]
) -> list[list[Any]]:
    """Rows grouped by key: ``statement`` selects ``(key, value)`` pairs, already filtered."""
    async with sessions() as session:
        rows = (await session.execute(statement)).all()
    groups: dict[K, list[Any]] = defaultdict(list)
    for key, value in rows:
        groups[key].append(value)
    return [groups.get(key, []) for key in keys]


async def regions_by_code(sessions: SessionFactory, codes: Sequence[str]) -> list[Region | None]:
    return await by_key(sessions, Region, Region.code, codes)


async def region_children(sessions: SessionFactory, codes: Sequence[str]) -> list[list[Region]]:
    statement = (
        select(Region.parent_code, Region)
        .where(Region.parent_code.in_(codes))
        .order_by(Region.code)
    )
    return await grouped(sessions, statement, codes)


async def agencies_by_id(sessions: SessionFactory, ids: Sequence[int]) -> list[Agency | None]:
    return await by_key(sessions, Agency, Agency.id, ids)


async def agency_types_by_code(
    sessions: SessionFactory, codes: Sequence[str]
) -> list[AgencyType | None]:
    return await by_key(sessions, AgencyType, AgencyType.code, codes)


async def events_by_id(sessions: SessionFactory, ids: Sequence[int]) -> list[Event | None]:
    return await by_key(sessions, Event, Event.id, ids)


async def people_by_id(sessions: SessionFactory, ids: Sequence[int]) -> list[Person | None]:
    return await by_key(sessions, Person, Person.id, ids)


async def speakers_by_event_id(
    sessions: SessionFactory, ids: Sequence[int]
) -> list[list[EventSpeaker]]:
    statement = (
        select(EventSpeaker.event_id, EventSpeaker)
        .where(EventSpeaker.event_id.in_(ids))
        .order_by(EventSpeaker.event_id, EventSpeaker.position, EventSpeaker.person_id)
    )
    return await grouped(sessions, statement, ids)


async def regions_by_article_id(sessions: SessionFactory, ids: Sequence[int]) -> list[list[Region]]:
    statement = (
        select(article_regions.c.article_id, Region)
        .join(Region, Region.code == article_regions.c.region_code)
        .where(article_regions.c.article_id.in_(ids))
        .order_by(article_regions.c.article_id, Region.code)
    )
    return await grouped(sessions, statement, ids)


async def tags_by_article_id(sessions: SessionFactory, ids: Sequence[int]) -> list[list[Tag]]:
    statement = (
        select(article_tags.c.article_id, Tag)
        .join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(ids))
        .order_by(article_tags.c.article_id, Tag.slug)
    )
    return await grouped(sessions, statement, ids)


async def stages_by_article_id(
    sessions: SessionFactory, ids: Sequence[int]
) -> list[list[ElectionStage]]:
    statement = (
        select(article_election_stages.c.article_id, ElectionStage)
        .join(ElectionStage, ElectionStage.code == article_election_stages.c.stage_code)
        .where(article_election_stages.c.article_id.in_(ids))
        .order_by(article_election_stages.c.article_id, ElectionStage.ordinal)
    )
    return await grouped(sessions, statement, ids)


async def articles_by_event_id(
    sessions: SessionFactory, viewer: Viewer, ids: Sequence[int]
) -> list[list[Article]]:
    statement = (
        select(Article.event_id, Article)
        .where(Article.event_id.in_(ids), visible_to(viewer))
        .order_by(Article.event_id, Article.published_at.desc(), Article.id.desc())
    )
    return await grouped(sessions, statement, ids)


async def articles_by_id(
    sessions: SessionFactory, viewer: Viewer, ids: Sequence[int]
) -> list[Article | None]:
    async with sessions() as session:
        rows = (
            await session.scalars(select(Article).where(Article.id.in_(ids), visible_to(viewer)))
        ).all()
    found = {row.id: row for row in rows}
    return [found.get(key) for key in ids]
