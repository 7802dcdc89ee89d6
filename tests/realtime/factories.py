"""Approvals written directly, for what the API cannot do on purpose: hold the approving
transaction open (to commit out of id order) or approve at a high, steady rate without
the HTTP round trip. Everything else approves through the API (``tests.factories.Desk``).

``approve_in`` makes the approval's writes as the workflow does (status, publication
time, version, the outbox row) inside a transaction the caller controls.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Article
from hub.db.repositories.outbox import record_article_change
from hub.vocabulary import ArticleStatus, OutboxKind
from tests.factories import Sessions


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
