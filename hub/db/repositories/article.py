"""Article queries, and the single place that decides which articles a viewer may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer
from hub.db.models import Article
from hub.workflow import PUBLIC_STATUSES as PUBLISHED
from hub.workflow import REVIEW_STATUSES

PUBLIC_STATUSES = tuple(sorted(status.value for status in PUBLISHED))


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition for the articles ``viewer`` may read (twin of ``auth.can_read_article``).

    Everyone sees published information (approved, and retracted articles, which stay visible
    with their retraction notice). Drafts, submissions and rejections are seen by the source
    agency's members and its API keys with a drafts scope; submissions and rejections also by
    the reviewers entitled to the agency (provincial review).
    """
    condition: ColumnElement[bool] = Article.status.in_(PUBLIC_STATUSES)
    if agencies := viewer.unpublished_agency_ids:
        condition = or_(condition, Article.source_agency_id.in_(sorted(agencies)))
    if reviewed := viewer.review_agency_ids:
        condition = or_(
            condition,
            and_(
                Article.status.in_(sorted(s.value for s in REVIEW_STATUSES)),
                Article.source_agency_id.in_(sorted(reviewed)),
            ),
        )
    return condition


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
