"""Batch function behind the ``transitions_by_article_id`` DataLoader: article workflow logs.

One statement per batch; results aligned with the keys, oldest transition first, each with
the name of who acted (an account's display name, or ``API key <name>``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import func, literal, select

from hub.db.models import Account, ApiKey, ArticleTransition
from hub.db.session import SessionFactory


class LoggedTransition(NamedTuple):
    transition: ArticleTransition
    actor: str | None


async def transitions_by_article_id(
    sessions: SessionFactory, ids: Sequence[int]
) -> list[list[LoggedTransition]]:
    actor = func.coalesce(Account.display_name, literal("API key ") + ApiKey.name)
    statement = (
        select(ArticleTransition, actor)
        .outerjoin(Account, Account.id == ArticleTransition.actor_account_id)
        .outerjoin(ApiKey, ApiKey.id == ArticleTransition.actor_api_key_id)
        .where(ArticleTransition.article_id.in_(ids))
        .order_by(ArticleTransition.article_id, ArticleTransition.id)
    )
    async with sessions() as session:
        rows = (await session.execute(statement)).all()
    groups: dict[int, list[LoggedTransition]] = defaultdict(list)
    for transition, name in rows:
        groups[transition.article_id].append(LoggedTransition(transition, name))
    return [groups.get(key, []) for key in ids]
