"""The article an import updates: the agency's article with the same canonical URL.

Imports of one URL for one agency are serialised by a transaction-level advisory lock, so two
concurrent imports of the same content never both create it: the second waits, then finds the
first one's row. ``links`` reads what an article covers, to tell an unchanged import apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import (
    Article,
    ArticlePerson,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.db.repositories.article_write import Mention


@dataclass(frozen=True)
class Links:
    """What an article covers, in a form equal for equal content."""

    region_codes: frozenset[str]
    tag_ids: frozenset[int]
    stage_codes: frozenset[str]
    mentions: tuple[Mention, ...]  # in order


async def lock_canonical_url(session: AsyncSession, *, agency_id: int, url: str) -> None:
    """Wait for other imports of this URL for this agency; held until the transaction ends."""
    key = func.hashtextextended(f"import {agency_id} {url}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))


async def find_by_canonical_url(
    session: AsyncSession, *, agency_id: int, url: str
) -> Article | None:
    """The agency's article at ``url`` (the oldest, should several exist), locked."""
    statement = (
        select(Article)
        .where(Article.source_agency_id == agency_id, Article.canonical_url == url)
        .order_by(Article.id)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def links(session: AsyncSession, *, article_id: int) -> Links:
    def of(table: Table, column: str) -> Select[Any]:
        return select(table.c[column]).where(table.c.article_id == article_id)

    people = await session.execute(
        select(ArticlePerson.person_id, ArticlePerson.kind, ArticlePerson.quote)
        .where(ArticlePerson.article_id == article_id)
        .order_by(ArticlePerson.position)
    )
    return Links(
        region_codes=frozenset((await session.scalars(of(article_regions, "region_code"))).all()),
        tag_ids=frozenset((await session.scalars(of(article_tags, "tag_id"))).all()),
        stage_codes=frozenset(
            (await session.scalars(of(article_election_stages, "stage_code"))).all()
        ),
        mentions=tuple(Mention(row.person_id, row.kind, row.quote) for row in people),
    )
