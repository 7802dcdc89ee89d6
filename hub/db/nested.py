"""Lists under a parent (a region's articles, an agency's people, ...) fetched per level.

Each ``ChildList`` says which rows belong to a parent key and in which order. The batch
functions behind the ``child_pages`` / ``child_counts`` DataLoaders group the requested keys
by list, query and page, and fetch all parents of a group in one statement
(``hub/db/repositories/pages.py``): nested lists cost one statement per level, not per parent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, String
from sqlalchemy.types import TypeEngine

from hub.auth import Viewer
from hub.db.binds import INLINE, Binds
from hub.db.keyset import Ordering, Page, PageRows
from hub.db.models import Agency, Article, ArticlePerson, Event, Person, region_feed
from hub.db.repositories import agency, article, event, pages, person
from hub.db.repositories.article import ArticleOrder
from hub.db.repositories.pages import ParentCondition
from hub.db.repositories.region import in_subtree
from hub.db.session import SessionFactory


@dataclass(frozen=True)
class ChildList:
    model: type[Any]
    key_type: TypeEngine[Any]
    parent: ParentCondition
    statement: Callable[[Viewer, Any], Select[Any]]  # (viewer, query) -> rows of the model
    ordering: Callable[[Any], Ordering]  # query -> ordering
    item: Callable[[Any], Any]  # fetched row (key, model, extra columns...) -> page item
    counted: Callable[[Viewer, Any], Select[Any]] | None = None  # default: ``statement``
    binds: Callable[[Any], Binds] = lambda _query: INLINE  # query -> how its pages are bound


def _articles(parent: ParentCondition, key_type: TypeEngine[Any]) -> ChildList:
    return ChildList(
        model=Article,
        key_type=key_type,
        parent=parent,
        statement=article.statement,
        ordering=lambda query: query.ordering(),
        item=article.hit_of_parent,
        counted=article.counting_statement,
        binds=lambda query: query.plan_binds(),
    )


def _plain(
    model: type[Any],
    parent: ParentCondition,
    key_type: TypeEngine[Any],
    statement: Callable[[Viewer, Any], Select[Any]],
    ordering: Ordering,
) -> ChildList:
    return ChildList(model, key_type, parent, statement, lambda _: ordering, lambda row: row[1])


# A region's articles are read from its feed (the region and every region below it), in the
# feed's listing order when the list is ordered by listing time: one index range per region.
PARENT_FEED = region_feed.alias("parent_feed")


def _region_articles() -> ChildList:
    def statement(viewer: Viewer, query: Any) -> Select[Any]:
        joined = article.statement(viewer, query)
        return joined.join(PARENT_FEED, PARENT_FEED.c.article_id == Article.id)

    def ordering(query: Any) -> Ordering:
        ordering: Ordering = query.ordering()
        if query.order in (ArticleOrder.NEWEST, ArticleOrder.OLDEST):
            columns = (PARENT_FEED.c.listed_at, PARENT_FEED.c.article_id)
            return Ordering(ordering.name, columns, ordering.descending, ordering.kinds)
        return ordering

    return ChildList(
        model=Article,
        key_type=String(),
        parent=lambda key: PARENT_FEED.c.region_code == key,
        statement=statement,
        ordering=ordering,
        item=article.hit_of_parent,
        counted=lambda viewer, query: article.counting_statement(viewer, query).join(
            PARENT_FEED, PARENT_FEED.c.article_id == Article.id
        ),
        binds=lambda query: query.plan_binds(),
    )


CHILD_LISTS: dict[str, ChildList] = {
    "region.articles": _region_articles(),
    "agency.articles": _articles(article.by_agency, Integer()),
    "event.articles": _articles(article.about_event, Integer()),
    "person.articles": _articles(article.citing, Integer()),
    "stage.articles": _articles(article.in_stage, String()),
    "tag.articles": _articles(article.tagged, Integer()),
    "region.events": _plain(
        Event,
        lambda key: in_subtree(Event.region_code, key),
        String(),
        lambda _viewer, _query: event.statement(),
        event.LATEST,
    ),
    "agency.events": _plain(
        Event,
        lambda key: Event.organiser_id == key,
        Integer(),
        lambda _viewer, _query: event.statement(),
        event.LATEST,
    ),
    "person.events": _plain(
        Event,
        event.with_speaker,
        Integer(),
        lambda _viewer, _query: event.statement(),
        event.LATEST,
    ),
    "region.agencies": _plain(
        Agency,
        lambda key: in_subtree(Agency.region_code, key),
        String(),
        lambda _viewer, _query: agency.statement(),
        agency.BY_NAME,
    ),
    "agency.people": _plain(
        Person,
        lambda key: Person.agency_id == key,
        Integer(),
        lambda _viewer, _query: person.statement(),
        person.BY_NAME,
    ),
    "person.quotes": _plain(
        ArticlePerson,
        lambda key: ArticlePerson.person_id == key,
        Integer(),
        lambda viewer, _query: person.quotes_statement(viewer),
        person.QUOTES_LATEST,
    ),
}


@dataclass(frozen=True)
class ChildPageKey:
    """One page of the list ``name`` under ``parent``; ``query`` holds the list's own options."""

    name: str
    parent: Hashable
    query: Hashable
    page: Page


@dataclass(frozen=True)
class ChildCountKey:
    name: str
    parent: Hashable
    query: Hashable


async def child_pages(
    sessions: SessionFactory, viewer: Viewer, keys: Sequence[ChildPageKey]
) -> list[PageRows[Any]]:
    groups: dict[tuple[str, Hashable, Page], list[Hashable]] = defaultdict(list)
    for key in keys:
        parents = groups[(key.name, key.query, key.page)]
        if key.parent not in parents:
            parents.append(key.parent)
    results: dict[ChildPageKey, PageRows[Any]] = {}
    async with sessions() as session:
        for (name, query, page), parents in groups.items():
            child = CHILD_LISTS[name]
            found = await pages.select_pages_by_parent(
                session,
                child.statement(viewer, query),
                child.model,
                child.parent,
                parents,
                child.key_type,
                child.ordering(query),
                page,
                child.item,
                child.binds(query),
            )
            for parent, rows in zip(parents, found, strict=True):
                results[ChildPageKey(name, parent, query, page)] = rows
    return [results[key] for key in keys]


async def child_counts(
    sessions: SessionFactory, viewer: Viewer, keys: Sequence[ChildCountKey]
) -> list[int]:
    groups: dict[tuple[str, Hashable], list[Hashable]] = defaultdict(list)
    for key in keys:
        parents = groups[(key.name, key.query)]
        if key.parent not in parents:
            parents.append(key.parent)
    results: dict[ChildCountKey, int] = {}
    async with sessions() as session:
        for (name, query), parents in groups.items():
            child = CHILD_LISTS[name]
            counted = (child.counted or child.statement)(viewer, query)
            counts = await pages.count_by_parent(
                session, counted, child.parent, parents, child.key_type
            )
            for parent, number in zip(parents, counts, strict=True):
                results[ChildCountKey(name, parent, query)] = number
    return [results[key] for key in keys]
