"""Scenario builders: agencies, articles waiting for review, and their approval.

``approve_article`` does what the approval workflow does: in one transaction it marks the
article approved (status, publication time, version) and appends the outbox row. Tests and
benchmarks approve through it only, so switching them to the approval mutation is one
change here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import (
    Agency,
    Article,
    Event,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.db.repositories.outbox import record_article_change
from hub.vocabulary import ArticleStatus, OutboxKind

Sessions = async_sessionmaker[AsyncSession]
_numbers = itertools.count(1)


async def ensure_agency(
    sessions: Sessions,
    *,
    slug: str,
    type_code: str = "diskominfo_provinsi",
    region_code: str = "64",
) -> int:
    async with sessions() as session, session.begin():
        found = await session.scalar(select(Agency.id).where(Agency.slug == slug))
        if found is not None:
            return found
        agency = Agency(
            slug=slug,
            name=slug.replace("-", " ").title(),
            type_code=type_code,
            region_code=region_code,
        )
        session.add(agency)
        await session.flush()
        return agency.id


async def ensure_event(sessions: Sessions, *, slug: str, region_code: str = "64") -> int:
    async with sessions() as session, session.begin():
        found = await session.scalar(select(Event.id).where(Event.slug == slug))
        if found is not None:
            return found
        event = Event(
            slug=slug,
            title=slug.replace("-", " ").title(),
            region_code=region_code,
            starts_at=func.now(),
        )
        session.add(event)
        await session.flush()
        return event.id


async def create_article(
    sessions: Sessions,
    *,
    agency_id: int,
    regions: Sequence[str] = ("64",),
    stages: Sequence[str] = (),
    tags: Sequence[str] = (),
    event_id: int | None = None,
    title: str | None = None,
    body: str = "<p>Isi berita.</p>",
) -> int:
    """An article submitted for review (not yet public)."""
    number = next(_numbers)
    async with sessions() as session, session.begin():
        article = Article(
            slug=f"berita-uji-{number}-{id(session):x}",
            title=title or f"Berita uji {number}",
            body=body,
            source_agency_id=agency_id,
            event_id=event_id,
            status=ArticleStatus.SUBMITTED.value,
            submitted_at=func.now(),
        )
        session.add(article)
        await session.flush()
        if regions:
            await session.execute(
                insert(article_regions),
                [{"article_id": article.id, "region_code": r} for r in regions],
            )
        if stages:
            await session.execute(
                insert(article_election_stages),
                [{"article_id": article.id, "stage_code": code} for code in stages],
            )
        for slug in tags:
            tag_id = await _tag_id(session, slug)
            await session.execute(insert(article_tags).values(article_id=article.id, tag_id=tag_id))
        return article.id


async def _tag_id(session: AsyncSession, slug: str) -> int:
    found = await session.scalar(select(Tag.id).where(Tag.slug == slug))
    if found is not None:
        return found
    tag = Tag(slug=slug, label=slug.replace("-", " ").title())
    session.add(tag)
    await session.flush()
    return tag.id


async def approve_article(sessions: Sessions, article_id: int) -> int:
    """Approve and publish, with its outbox row, in one transaction; returns the row id."""
    async with sessions() as session, session.begin():
        return await approve_in(session, article_id)


async def approve_in(session: AsyncSession, article_id: int) -> int:
    """The approval's writes inside a transaction the caller controls."""
    article = (
        await session.scalars(select(Article).where(Article.id == article_id).with_for_update())
    ).one()
    article.status = ArticleStatus.APPROVED.value
    article.approved_at = func.now()
    article.published_at = func.now()
    article.version = article.version + 1
    await session.flush()
    entry = await record_article_change(session, article=article, kind=OutboxKind.ARTICLE_APPROVED)
    return entry.id


async def change_article(sessions: Sessions, article_id: int, kind: OutboxKind) -> int:
    """A correction or retraction of a published article, with its outbox row."""
    async with sessions() as session, session.begin():
        article = (
            await session.scalars(select(Article).where(Article.id == article_id).with_for_update())
        ).one()
        if kind is OutboxKind.ARTICLE_RETRACTED:
            article.status = ArticleStatus.RETRACTED.value
            article.retracted_at = func.now()
            article.retraction_reason = "Ditarik untuk pengujian"
        else:
            article.corrected_at = func.now()
            article.correction_note = "Diperbaiki untuk pengujian"
        article.version = article.version + 1
        await session.flush()
        entry = await record_article_change(session, article=article, kind=kind)
        return entry.id
