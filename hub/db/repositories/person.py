"""People queries: look-ups, lists by name, the quotes of a person in visible articles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer
from hub.db.keyset import Ordering
from hub.db.models import Article, ArticlePerson, Person
from hub.db.repositories.article import visible_to
from hub.vocabulary import PersonMention

BY_NAME = Ordering("name", (Person.name, Person.id), False, (str, int))
QUOTES_LATEST = Ordering("quotes", (ArticlePerson.id,), True, (int,))


def statement(*, agency_id: int | None = None) -> Select[Any]:
    query = select(Person)
    if agency_id is not None:
        query = query.where(Person.agency_id == agency_id)
    return query


def quotes_statement(viewer: Viewer) -> Select[Any]:
    """Quotes (with their text) in articles the viewer may read."""
    return (
        select(ArticlePerson)
        .join(Article, Article.id == ArticlePerson.article_id)
        .where(ArticlePerson.kind == PersonMention.QUOTED.value, visible_to(viewer))
    )


async def get_by_slug(session: AsyncSession, *, slug: str) -> Person | None:
    return (await session.scalars(select(Person).where(Person.slug == slug))).one_or_none()
