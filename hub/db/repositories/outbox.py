"""Append to the outbox in the changing transaction, and wake listeners on commit.

Every published change (article approved / corrected / retracted, event changed) calls
``record_*`` inside the transaction that makes the change. ``NOTIFY`` is transactional, so
listeners are woken only when the change commits; the row itself is the source of truth.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import (
    Agency,
    Article,
    Event,
    OutboxEntry,
    Region,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.vocabulary import OutboxKind

CHANNEL = "hub_outbox"


async def record(
    session: AsyncSession,
    *,
    kind: OutboxKind,
    entity_type: str,
    entity_id: int,
    agency_id: int | None,
    region_codes: list[str],
    payload: dict[str, Any],
) -> OutboxEntry:
    entry = OutboxEntry(
        kind=kind.value,
        entity_type=entity_type,
        entity_id=entity_id,
        agency_id=agency_id,
        region_codes=region_codes,
        payload=payload,
    )
    session.add(entry)
    await session.flush()
    await session.execute(select(func.pg_notify(CHANNEL, str(entry.id))))
    return entry


async def with_ancestors(session: AsyncSession, codes: list[str]) -> list[str]:
    """The codes plus their parent provinces, sorted (a province feed matches its regencies)."""
    if not codes:
        return []
    parents = await session.scalars(
        select(Region.parent_code).where(Region.code.in_(codes), Region.parent_code.is_not(None))
    )
    return sorted(set(codes) | {code for code in parents if code})


async def record_article_change(
    session: AsyncSession, *, article: Article, kind: OutboxKind
) -> OutboxEntry:
    """Outbox row for an article change, carrying what subscription filters match on."""
    covered = list(
        (
            await session.scalars(
                select(article_regions.c.region_code).where(
                    article_regions.c.article_id == article.id
                )
            )
        ).all()
    )
    stages = list(
        (
            await session.scalars(
                select(article_election_stages.c.stage_code).where(
                    article_election_stages.c.article_id == article.id
                )
            )
        ).all()
    )
    tags = list(
        (
            await session.scalars(
                select(Tag.slug)
                .join(article_tags, article_tags.c.tag_id == Tag.id)
                .where(article_tags.c.article_id == article.id)
            )
        ).all()
    )
    agency_type = await session.scalar(
        select(Agency.type_code).where(Agency.id == article.source_agency_id)
    )
    return await record(
        session,
        kind=kind,
        entity_type="article",
        entity_id=article.id,
        agency_id=article.source_agency_id,
        region_codes=await with_ancestors(session, covered),
        payload={
            "slug": article.slug,
            "version": article.version,
            "status": article.status,
            "agency_type": agency_type,
            "event_id": article.event_id,
            "stage_codes": sorted(stages),
            "tag_slugs": sorted(tags),
        },
    )


async def record_event_change(session: AsyncSession, *, event: Event) -> OutboxEntry:
    return await record(
        session,
        kind=OutboxKind.EVENT_CHANGED,
        entity_type="event",
        entity_id=event.id,
        agency_id=event.organiser_id,
        region_codes=await with_ancestors(
            session, [event.region_code] if event.region_code else []
        ),
        payload={"slug": event.slug, "version": event.version},
    )


async def latest_id(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT coalesce(max(id), 0) FROM outbox")) or 0)
