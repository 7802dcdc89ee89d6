"""Tags, elections and their stages: look-ups, lists, the stages active on a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.keyset import Ordering
from hub.db.models import Election, ElectionStage, Tag

TAGS_BY_SLUG = Ordering("slug", (Tag.slug,), False, (str,))
STAGES_IN_ORDER = Ordering("ordinal", (ElectionStage.ordinal,), False, (int,))


def stages_statement(
    *, active_on: date | None = None, election_code: str | None = None
) -> Select[Any]:
    query = select(ElectionStage)
    if election_code is not None:
        query = query.where(ElectionStage.election_code == election_code)
    if active_on is not None:
        query = query.where(
            ElectionStage.starts_on <= active_on, ElectionStage.ends_on >= active_on
        )
    return query


async def latest_started_stage(session: AsyncSession, *, on: date) -> ElectionStage | None:
    """Of the stages running on ``on``, the one that started last (the most specific)."""
    statement = (
        stages_statement(active_on=on)
        .order_by(ElectionStage.starts_on.desc(), ElectionStage.ordinal.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).one_or_none()


async def get_tag(session: AsyncSession, *, slug: str) -> Tag | None:
    return (await session.scalars(select(Tag).where(Tag.slug == slug))).one_or_none()


async def list_elections(session: AsyncSession) -> list[Election]:
    """Every election, in the order of their voting days (a handful of rows)."""
    statement = select(Election).order_by(Election.voting_day, Election.code)
    return list((await session.scalars(statement)).all())


async def get_stage(session: AsyncSession, *, code: str) -> ElectionStage | None:
    return await session.get(ElectionStage, code)


async def ensure_tags(session: AsyncSession, labels: dict[str, str]) -> None:
    """Add the tags (``{slug: label}``) that do not exist yet; existing ones stay as they are."""
    if labels:
        rows = [{"slug": slug, "label": label} for slug, label in labels.items()]
        await session.execute(
            insert(Tag).values(rows).on_conflict_do_nothing(index_elements=["slug"])
        )
