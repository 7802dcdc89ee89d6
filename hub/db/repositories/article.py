"""Article queries, and the single place that decides which articles a viewer may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer
from hub.db.models import Article
from hub.vocabulary import ArticleStatus

PUBLIC_STATUSES = (ArticleStatus.APPROVED.value, ArticleStatus.RETRACTED.value)


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition for the articles ``viewer`` may read.

    The public sees published information (approved, and retracted ones, which stay visible
    with their retraction notice).
    """
    del viewer  # drafts are not visible to anyone on the read side yet
    return Article.status.in_(PUBLIC_STATUSES)


async def get_by_slug(session: AsyncSession, *, viewer: Viewer, slug: str) -> Article | None:
    statement = select(Article).where(Article.slug == slug, visible_to(viewer))
    return (await session.scalars(statement)).one_or_none()


async def list_latest(session: AsyncSession, *, viewer: Viewer, limit: int) -> list[Article]:
    statement = (
        select(Article)
        .where(visible_to(viewer))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())
