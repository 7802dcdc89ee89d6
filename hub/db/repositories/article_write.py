"""Writing articles: lock for update, replace what they cover, log transitions, count views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, desc, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer
from hub.db.models import (
    Article,
    ArticlePerson,
    ArticleTransition,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.db.repositories.article import visible_to
from hub.vocabulary import ArticleStatus, TransitionKind


@dataclass(frozen=True)
class Mention:
    person_id: int
    kind: str
    quote: str | None


async def lock_by_slug(session: AsyncSession, *, slug: str) -> Article | None:
    """The article row, locked until the transaction ends (writers queue up here)."""
    statement = (
        select(Article)
        .where(Article.slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def replace_regions(session: AsyncSession, article_id: int, codes: Sequence[str]) -> None:
    await session.execute(delete(article_regions).where(article_regions.c.article_id == article_id))
    if codes:
        await session.execute(
            insert(article_regions),
            [{"article_id": article_id, "region_code": code} for code in codes],
        )


async def replace_tags(session: AsyncSession, article_id: int, tag_ids: Sequence[int]) -> None:
    await session.execute(delete(article_tags).where(article_tags.c.article_id == article_id))
    if tag_ids:
        await session.execute(
            insert(article_tags), [{"article_id": article_id, "tag_id": tag} for tag in tag_ids]
        )


async def replace_stages(session: AsyncSession, article_id: int, codes: Sequence[str]) -> None:
    await session.execute(
        delete(article_election_stages).where(article_election_stages.c.article_id == article_id)
    )
    if codes:
        await session.execute(
            insert(article_election_stages),
            [{"article_id": article_id, "stage_code": code} for code in codes],
        )


async def replace_people(
    session: AsyncSession, article_id: int, mentions: Sequence[Mention]
) -> None:
    await session.execute(delete(ArticlePerson).where(ArticlePerson.article_id == article_id))
    session.add_all(
        ArticlePerson(
            article_id=article_id,
            person_id=mention.person_id,
            kind=mention.kind,
            quote=mention.quote,
            position=index,
        )
        for index, mention in enumerate(mentions)
    )


async def log_transition(
    session: AsyncSession,
    *,
    article: Article,
    kind: TransitionKind,
    from_status: str | None,
    viewer: Viewer,
    reason: str | None,
    origin: str | None = None,
) -> ArticleTransition:
    row = ArticleTransition(
        article_id=article.id,
        kind=kind.value,
        origin=origin,
        from_status=from_status,
        to_status=article.status,
        actor_account_id=viewer.account_id,
        actor_api_key_id=viewer.api_key_id,
        reason=reason,
        article_version=article.version,
    )
    session.add(row)
    await session.flush()
    return row


async def last_submitter(session: AsyncSession, *, article_id: int) -> int | None:
    """The account that made the latest submission of the article, if an account did."""
    statement = (
        select(ArticleTransition.actor_account_id)
        .where(
            ArticleTransition.article_id == article_id,
            ArticleTransition.to_status == ArticleStatus.SUBMITTED.value,
        )
        .order_by(desc(ArticleTransition.id))
        .limit(1)
    )
    return await session.scalar(statement)


async def count_view(session: AsyncSession, *, viewer: Viewer, slug: str) -> int | None:
    """Add one view to a published article the viewer can see; its new count, else None."""
    statement = (
        update(Article)
        .where(
            Article.slug == slug,
            Article.status == ArticleStatus.APPROVED.value,
            visible_to(viewer),
        )
        .values(view_count=Article.view_count + 1, updated_at=Article.updated_at)
        .returning(Article.view_count)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def visible_status(session: AsyncSession, *, viewer: Viewer, slug: str) -> str | None:
    statement = select(Article.status).where(Article.slug == slug, visible_to(viewer))
    return await session.scalar(statement)
