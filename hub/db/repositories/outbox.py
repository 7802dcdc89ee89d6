"""Append to the outbox in the changing transaction, wake listeners on commit; read the stream.

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


async def placement(session: AsyncSession, article: Article) -> dict[str, Any]:
    """Where feeds and lists find an article: its agency, regions (with their provinces),
    agency type, event, election stages and tags — what subscription filters match on."""
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
    return {
        "agency_id": article.source_agency_id,
        "region_codes": await with_ancestors(session, covered),
        "agency_type": agency_type,
        "event_id": article.event_id,
        "stage_codes": sorted(stages),
        "tag_slugs": sorted(tags),
    }


async def record_article_change(
    session: AsyncSession,
    *,
    article: Article,
    kind: OutboxKind,
    before: dict[str, Any] | None = None,
) -> OutboxEntry:
    """Outbox row for an article change, carrying what subscription filters match on.
    ``before``: the article's :func:`placement` before the change (a correction or a
    re-import), kept as ``payload.previous`` when the change moved it, so that readers can
    tell the lists it left."""
    now = await placement(session, article)
    payload: dict[str, Any] = {
        "slug": article.slug,
        "version": article.version,
        "status": article.status,
        "agency_type": now["agency_type"],
        "event_id": now["event_id"],
        "stage_codes": now["stage_codes"],
        "tag_slugs": now["tag_slugs"],
    }
    if before is not None and before != now:
        payload["previous"] = before
    return await record(
        session,
        kind=kind,
        entity_type="article",
        entity_id=article.id,
        agency_id=now["agency_id"],
        region_codes=now["region_codes"],
        payload=payload,
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


# Reading the stream. Rows are returned in (txid, id) order and only when written by a
# transaction older than every transaction still in flight: that set only ever grows at
# its end, so a reader advancing through it never skips a row that commits later.

_HORIZON = "txid < pg_snapshot_xmin(pg_current_snapshot())"
_STREAM_COLUMNS = (
    "id, txid::text::bigint AS txid, kind, entity_type, entity_id, agency_id, "
    "region_codes, payload, created_at"
)
_AFTER = "(txid, id) > (CAST(CAST(:after_txid AS text) AS xid8), :after_id)"
_UPTO = "(txid, id) <= (CAST(CAST(:upto_txid AS text) AS xid8), :upto_id)"


async def read_committed(
    session: AsyncSession,
    *,
    after: tuple[int, int],
    upto: tuple[int, int] | None = None,
    limit: int,
) -> list[Any]:
    """Finished rows after ``after`` (and up to ``upto``), in stream order."""
    conditions = [_AFTER, _HORIZON] + ([_UPTO] if upto is not None else [])
    parameters: dict[str, Any] = {
        "after_txid": str(after[0]),
        "after_id": after[1],
        "limit": limit,
    }
    if upto is not None:
        parameters |= {"upto_txid": str(upto[0]), "upto_id": upto[1]}
    statement = text(
        f"SELECT {_STREAM_COLUMNS} FROM outbox WHERE {' AND '.join(conditions)} "  # noqa: S608
        "ORDER BY txid, id LIMIT :limit"
    )
    return list((await session.execute(statement, parameters)).all())


async def head_position(session: AsyncSession) -> tuple[int, int]:
    """The last finished row's position, or ``(0, 0)`` when there is none."""
    row = (
        await session.execute(
            text(
                f"SELECT txid::text::bigint AS txid, id FROM outbox WHERE {_HORIZON} "  # noqa: S608
                "ORDER BY txid DESC, id DESC LIMIT 1"
            )
        )
    ).one_or_none()
    return (int(row.txid), int(row.id)) if row else (0, 0)


async def position_state(
    session: AsyncSession, *, position: tuple[int, int], retention_seconds: float
) -> tuple[bool, bool]:
    """``(exists, expired)``: whether the row at ``position`` exists, and whether it or the
    first row after it is older than the retention window."""
    row = (
        await session.execute(
            text(
                "WITH here AS (SELECT created_at FROM outbox WHERE id = :after_id "  # noqa: S608
                "AND txid = CAST(CAST(:after_txid AS text) AS xid8)), "
                f"next AS (SELECT created_at FROM outbox WHERE {_AFTER} "
                "ORDER BY txid, id LIMIT 1), "
                "cutoff AS (SELECT now() - make_interval(secs => :retention) AS at) "
                "SELECT EXISTS (SELECT 1 FROM here) AS found, "
                "EXISTS (SELECT 1 FROM here, cutoff WHERE here.created_at < cutoff.at) "
                "OR EXISTS (SELECT 1 FROM next, cutoff WHERE next.created_at < cutoff.at) "
                "AS expired"
            ),
            {
                "after_txid": str(position[0]),
                "after_id": position[1],
                "retention": retention_seconds,
            },
        )
    ).one()
    return bool(row.found), bool(row.expired)


BACKLOG_COUNT_LIMIT = 100_000  # counting further would only make the scrape slow


async def backlog(session: AsyncSession, *, after: tuple[int, int]) -> tuple[int, float]:
    """Committed rows after ``after`` (at most ``BACKLOG_COUNT_LIMIT``), and the age in
    seconds of the oldest of them (0 when none): how far a reader at ``after`` is behind.
    Rows held back by an older transaction still in flight count too: they wait."""
    row = (
        await session.execute(
            text(
                "SELECT count(*) AS rows, "  # noqa: S608
                "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age "
                f"FROM (SELECT created_at FROM outbox WHERE {_AFTER} "
                "ORDER BY txid, id LIMIT :limit) AS waiting"
            ),
            {"after_txid": str(after[0]), "after_id": after[1], "limit": BACKLOG_COUNT_LIMIT},
        )
    ).one()
    return int(row.rows), max(0.0, float(row.age))
