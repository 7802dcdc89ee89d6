"""What Hub derives from a published article's text, when it is published or its text changes.

``index_published_article`` is the one entry point, in the transaction that approves, corrects
or imports the article: its words enter the dictionary of published words (typo correction,
word rarity; ``search_dictionary``), its signature is stored and its related coverage
recomputed, both ways (``related_coverage``). It does nothing for an unpublished article, so a
draft's words never reach the dictionary. Indexing transactions run one at a time (an advisory
lock held to the commit): each sees the articles indexed before it.

``index_unindexed`` does the same, in bulk, for published articles that have no signature yet:
data loaded around the API (demo content, an upgraded database, tests). All words are counted
before any signature is computed, so the first articles are weighed against the whole corpus.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Article, ArticleSignature
from hub.db.repositories import related_coverage, search_dictionary
from hub.workflow import PUBLIC_STATUSES

PUBLISHED = tuple(sorted(status.value for status in PUBLIC_STATUSES))
# Indexing runs one transaction at a time (a transaction-level advisory lock): two articles of
# one story approved at the same moment would otherwise not see each other's signature.
INDEXING_LOCK = 0x48554231


async def index_published_article(session: AsyncSession, *, article_id: int) -> None:
    """Count the article's words, store its signature and recompute its related coverage (a
    published article: approved or retracted; others are left alone)."""
    indexed = exists().where(ArticleSignature.article_id == Article.id)
    row = (
        await session.execute(
            select(Article.status, indexed.label("indexed")).where(Article.id == article_id)
        )
    ).one_or_none()
    if row is None or row.status not in PUBLISHED:
        return
    await session.execute(select(func.pg_advisory_xact_lock(INDEXING_LOCK)))
    await search_dictionary.count_article_words(
        session, article_id=article_id, first=not row.indexed
    )
    await related_coverage.store_signatures(session, article_ids=[article_id])
    await related_coverage.relate(session, article_id=article_id)


async def unindexed(session: AsyncSession) -> list[int]:
    """The published articles without a signature, oldest first."""
    statement = (
        select(Article.id)
        .where(
            Article.status.in_(PUBLISHED),
            ~exists().where(ArticleSignature.article_id == Article.id),
        )
        .order_by(Article.published_at, Article.id)
    )
    return list((await session.scalars(statement)).all())


async def count_and_sign_unindexed(session: AsyncSession, *, batch: int = 1000) -> list[int]:
    """The first steps of ``index_unindexed``: all their words counted (one statement), then
    their signatures stored, ``batch`` articles per statement. Returns the articles, whose
    related coverage is still to compute (``related_coverage.relate``: one by one, possibly
    on several connections)."""
    ids = await unindexed(session)
    if ids:
        await search_dictionary.count_unindexed_words(session)
        for start in range(0, len(ids), batch):
            await related_coverage.store_signatures(session, article_ids=ids[start : start + batch])
    return ids


async def index_unindexed(session: AsyncSession) -> int:
    """Index the published articles without a signature; returns how many."""
    await session.execute(select(func.pg_advisory_xact_lock(INDEXING_LOCK)))
    ids = await count_and_sign_unindexed(session)
    for article_id in ids:
        await related_coverage.relate(session, article_id=article_id)
    return len(ids)
