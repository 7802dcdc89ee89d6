"""Scenario builders: agencies, tags and articles written straight into a test's database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import (
    Agency,
    Article,
    ArticlePerson,
    Event,
    EventSpeaker,
    Person,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)

_numbers = itertools.count(1)
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


async def agency(
    sessions: async_sessionmaker[AsyncSession],
    *,
    slug: str,
    region_code: str = "64",
    type_code: str = "diskominfo_kabkota",
) -> int:
    async with sessions() as session, session.begin():
        row = Agency(slug=slug, name=f"Agency {slug}", type_code=type_code, region_code=region_code)
        session.add(row)
        await session.flush()
        return row.id


async def tag(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session, session.begin():
        row = Tag(slug=slug, label=slug.title())
        session.add(row)
        await session.flush()
        return row.id


async def person(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session, session.begin():
        row = Person(slug=slug, name=slug.replace("-", " ").title())
        session.add(row)
        await session.flush()
        return row.id


async def article(
    sessions: async_sessionmaker[AsyncSession],
    *,
    agency_id: int,
    title: str | None = None,
    summary: str | None = None,
    body: str = "<p>Isi berita.</p>",
    regions: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
    tag_ids: tuple[int, ...] = (),
    quoted: tuple[int, ...] = (),
    published_at: datetime | None = None,
    status: str = "approved",
    **fields: Any,
) -> int:
    """One article (approved unless told); returns its id."""
    number = next(_numbers)
    published = published_at or BASE_TIME + timedelta(hours=number)
    async with sessions() as session, session.begin():
        row = Article(
            slug=f"artikel-{number}",
            title=title or f"Artikel nomor {number}",
            summary=summary,
            body=body,
            source_agency_id=agency_id,
            status=status,
            published_at=published if status in ("approved", "retracted") else None,
            **fields,
        )
        session.add(row)
        await session.flush()
        links = [
            (article_regions, [{"article_id": row.id, "region_code": code} for code in regions]),
            (
                article_election_stages,
                [{"article_id": row.id, "stage_code": code} for code in stages],
            ),
            (article_tags, [{"article_id": row.id, "tag_id": tag_id} for tag_id in tag_ids]),
        ]
        for table, values in links:
            if values:
                await session.execute(insert(table), values)
        session.add_all(
            ArticlePerson(article_id=row.id, person_id=pid, kind="quoted", quote="Kutipan.")
            for pid in quoted
        )
        return row.id


async def agency_id(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Agency.id).where(Agency.slug == slug))
    assert found is not None
    return found


async def newsroom(
    sessions: async_sessionmaker[AsyncSession], *, agencies: int, per_agency: int
) -> None:
    """Agencies with a speaker, an event and articles each: enough rows for pages of 100."""
    regency_codes = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71"]
    tag_ids = [await tag(sessions, f"topik-{n}") for n in range(8)]
    async with sessions() as session, session.begin():
        for a in range(agencies):
            region_code = regency_codes[a % len(regency_codes)]
            row = Agency(
                slug=f"kantor-{a}",
                name=f"Kantor {a}",
                type_code="diskominfo_kabkota",
                region_code=region_code,
            )
            session.add(row)
            await session.flush()
            speaker = Person(slug=f"juru-bicara-{a}", name=f"Juru Bicara {a}", agency_id=row.id)
            event = Event(
                slug=f"acara-{a}",
                title=f"Acara {a}",
                region_code=region_code,
                organiser_id=row.id,
                starts_at=BASE_TIME + timedelta(days=a),
            )
            session.add_all([speaker, event])
            await session.flush()
            await session.execute(
                insert(EventSpeaker),
                [{"event_id": event.id, "person_id": speaker.id, "role": "speaker"}],
            )
            for n in range(per_agency):
                number = next(_numbers)
                article_row = Article(
                    slug=f"berita-{number}",
                    title=f"Berita {number} tentang pelayanan publik",
                    summary="Ringkasan berita.",
                    body="<p>Isi berita pelayanan publik.</p>",
                    source_agency_id=row.id,
                    event_id=event.id,
                    status="approved",
                    published_at=BASE_TIME + timedelta(hours=number),
                )
                session.add(article_row)
                await session.flush()
                await session.execute(
                    insert(article_regions),
                    [
                        {"article_id": article_row.id, "region_code": code}
                        for code in ("64", region_code)
                    ],
                )
                await session.execute(
                    insert(article_tags),
                    [{"article_id": article_row.id, "tag_id": tag_ids[n % 8]}],
                )
                await session.execute(
                    insert(article_election_stages),
                    [{"article_id": article_row.id, "stage_code": "kampanye"}],
                )
                session.add(
                    ArticlePerson(
                        article_id=article_row.id,
                        person_id=speaker.id,
                        kind="quoted",
                        quote="Pelayanan publik terus membaik.",
                    )
                )
