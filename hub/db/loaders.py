"""Batch functions behind the request-scoped DataLoaders (nested lists: ``hub/db/nested.py``).

Each takes the keys of one batch and returns results aligned with them (one result per key,
``None`` or ``[]`` when missing). Each batch runs one statement in its own short session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from hub import reads
from hub.auth import Viewer
from hub.db.keyset import Page, PageRows
from hub.db.models import (
    Agency,
    AgencyType,
    Article,
    ArticlePerson,
    Election,
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
from hub.db.repositories import article as article_repository
from hub.db.repositories import search_dictionary
from hub.db.repositories.related_coverage import Related, related_pages
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
    for key in ids:
        reads.entity(reads.EVENT, key)
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


async def articles_by_id(
    sessions: SessionFactory, viewer: Viewer, ids: Sequence[int]
) -> list[Article | None]:
    """Articles the viewer may read (``None`` for the others and for unknown ids)."""
    for key in ids:
        reads.entity(reads.ARTICLE, key)
    async with sessions() as session:
        rows = await article_repository.get_many(session, viewer=viewer, ids=ids)
    found = {row.id: row for row in rows}
    return [found.get(key) for key in ids]


async def tags_by_id(sessions: SessionFactory, ids: Sequence[int]) -> list[Tag | None]:
    return await by_key(sessions, Tag, Tag.id, ids)


async def elections_by_code(
    sessions: SessionFactory, codes: Sequence[str]
) -> list[Election | None]:
    return await by_key(sessions, Election, Election.code, codes)


async def stages_by_code(
    sessions: SessionFactory, codes: Sequence[str]
) -> list[ElectionStage | None]:
    return await by_key(sessions, ElectionStage, ElectionStage.code, codes)


async def mentions_by_article_id(
    sessions: SessionFactory, ids: Sequence[int]
) -> list[list[ArticlePerson]]:
    statement = (
        select(ArticlePerson.article_id, ArticlePerson)
        .where(ArticlePerson.article_id.in_(ids))
        .order_by(ArticlePerson.article_id, ArticlePerson.position, ArticlePerson.id)
    )
    return await grouped(sessions, statement, ids)


@dataclass(frozen=True)
class RelatedKey:
    article_id: int
    page: Page


async def related_by_article(
    sessions: SessionFactory, viewer: Viewer, keys: Sequence[RelatedKey]
) -> list[PageRows[Related]]:
    by_page: dict[Page, list[int]] = defaultdict(list)
    for key in keys:
        by_page[key.page].append(key.article_id)
    results: dict[RelatedKey, PageRows[Related]] = {}
    async with sessions() as session:
        for page, ids in by_page.items():
            ids = list(dict.fromkeys(ids))
            found = await related_pages(session, viewer=viewer, source_ids=ids, page=page)
            results.update(
                (RelatedKey(key, page), rows) for key, rows in zip(ids, found, strict=True)
            )
    return [results[key] for key in keys]


@dataclass(frozen=True)
class HighlightKey:
    article_id: int
    words: tuple[str, ...]


async def highlights_by_article(
    sessions: SessionFactory, keys: Sequence[HighlightKey]
) -> list[tuple[str, str] | None]:
    by_words: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for key in keys:
        by_words[key.words].append(key.article_id)
    found: dict[HighlightKey, tuple[str, str]] = {}
    async with sessions() as session:
        for words, ids in by_words.items():
            fragments = await article_repository.highlights(session, ids=ids, words=words)
            found.update((HighlightKey(key, words), value) for key, value in fragments.items())
    return [found.get(key) for key in keys]


async def search_corrections(
    sessions: SessionFactory, keys: Sequence[tuple[str, ...]]
) -> list[dict[str, str]]:
    """Per search (its checked words), the dictionary's corrections of the words it does not
    know; the searches of a request (nested lists) are looked up together."""
    words = list(dict.fromkeys(word for key in keys for word in key))
    async with sessions() as session:
        found = await search_dictionary.corrections(session, words)
    return [{word: found[word] for word in key if word in found} for key in keys]
