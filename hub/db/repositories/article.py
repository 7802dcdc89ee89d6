"""Article queries, and the single place that decides which articles a viewer may see.

Every read of articles — lists, look-ups by key or ID, nested lists, search, related coverage —
adds ``visible_to(viewer)``. Lists are keyset-paginated (``hub/db/keyset.py``); nested lists
(an agency's articles, a region's articles, ...) fetch the pages of many parents in one
statement (``LATERAL``), so their cost does not grow with the number of parents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth import Viewer
from hub.db import search
from hub.db.binds import INLINE, INLINE_PLANNED_PER_VALUE, Binds
from hub.db.keyset import Ordering, Tier
from hub.db.models import (
    Agency,
    Article,
    ArticlePerson,
    RelatedArticle,
    article_election_stages,
    article_tags,
    region_feed,
)
from hub.db.repositories import pages
from hub.db.repositories.pages import ParentCondition
from hub.db.search_language import SearchedFor
from hub.filters import NO_FILTER, ArticleFilter
from hub.workflow import PUBLIC_STATUSES as PUBLISHED
from hub.workflow import REVIEW_STATUSES

PUBLIC_STATUSES = tuple(sorted(status.value for status in PUBLISHED))


def _statuses(statuses: Sequence[str]) -> Any:
    """Status values written into the statement's text: constants, estimated by the planner."""
    return bindparam("status", list(statuses), unique=True, expanding=True, literal_execute=True)


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition for the articles ``viewer`` may read (twin of ``auth.can_read_article``).

    Everyone sees published information (approved, and retracted articles, which stay visible
    with their retraction notice). Drafts, submissions and rejections are seen by the source
    agency's members and its API keys with a drafts scope; submissions and rejections also by
    the reviewers entitled to the agency (provincial review).
    """
    condition: ColumnElement[bool] = Article.status.in_(_statuses(PUBLIC_STATUSES))
    if agencies := viewer.unpublished_agency_ids:
        condition = or_(condition, Article.source_agency_id.in_(sorted(agencies)))
    if reviewed := viewer.review_agency_ids:
        condition = or_(
            condition,
            and_(
                Article.status.in_(_statuses(sorted(s.value for s in REVIEW_STATUSES))),
                Article.source_agency_id.in_(sorted(reviewed)),
            ),
        )
    return condition


class ArticleOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    MOST_VIEWED = "most_viewed"
    RELEVANCE = "relevance"


LISTED = (Article.listed_at, Article.id)

ORDERINGS = {
    ArticleOrder.NEWEST: Ordering("newest", LISTED, True, (datetime, int)),
    ArticleOrder.OLDEST: Ordering("oldest", LISTED, False, (datetime, int)),
    ArticleOrder.MOST_VIEWED: Ordering(
        "most_viewed", (Article.view_count, Article.id), True, (int, int)
    ),
}


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles and in which order: a validated filter, search terms (``words``, see
    ``hub/db/search_language.py``), an ordering; ``searched_for`` says how the search was
    understood (for the response)."""

    filter: ArticleFilter = NO_FILTER
    words: tuple[str, ...] = ()
    order: ArticleOrder = ArticleOrder.NEWEST
    searched_for: SearchedFor | None = None

    def ordering(self, binds: Binds = INLINE) -> Ordering:
        """The list's order (its name goes into cursors)."""
        name = self.order.value
        if self.order is ArticleOrder.RELEVANCE:
            return Ordering(name, LISTED, True, (int, datetime, int), tiers=self.tiers(binds))
        ordering = ORDERINGS[self.order]
        columns = ordering.columns
        listed = self.order in (ArticleOrder.NEWEST, ArticleOrder.OLDEST)
        if self.filter.region_code is not None and listed:
            # The same keys, read from the region's feed: one index range scan, in order.
            columns = (region_feed.c.listed_at, region_feed.c.article_id)
        return Ordering(name, columns, ordering.descending, ordering.kinds)

    @property
    def generic_plan(self) -> bool:
        """Whether one plan suits every value (see ``hub/db/binds.py``): an unfiltered list or
        a region's feed in listing order (one index range, whatever the region) does; search
        words and the other filters do not (a rare tag is best found through its index, a
        common one by walking the listing order until the page is full), nor a region's most
        viewed (a province's are found walking the view counts, a village's by sorting)."""
        if self.words or filter_values(self.filter):
            return False
        listed = self.order in (ArticleOrder.NEWEST, ArticleOrder.OLDEST)
        return self.filter.region_code is None or listed

    def plan_binds(self) -> Binds:
        """How to bind the query's pages (planned per execution unless ``generic_plan``)."""
        return INLINE if self.generic_plan else INLINE_PLANNED_PER_VALUE

    def scoped(self, statement: Select[Any], binds: Binds = INLINE) -> Select[Any]:
        """``statement`` (over articles) restricted to the region's feed when filtering by one."""
        if self.filter.region_code is None:
            return statement
        code = binds.value("filter_region_code", self.filter.region_code)
        return statement.join(
            region_feed,
            and_(region_feed.c.article_id == Article.id, region_feed.c.region_code == code),
        )

    def tiers(self, binds: Binds = INLINE) -> tuple[Tier, ...]:
        """Title, title and summary, anywhere (``search.tiers``), then the other outlets'
        reports of the stories found (``same_story_as_matches``)."""
        documents = (Article.title_vector, Article.head_vector, Article.search_vector)
        in_title, in_head, anywhere = search.tiers(documents, self.words, binds)
        elsewhere = same_story_as_matches(self.words, binds)
        assert anywhere.driving is not None
        return (
            in_title,
            in_head,
            anywhere,
            Tier(SAME_STORY_TIER, and_(elsewhere, not_(anywhere.driving)), driving=elsewhere),
        )

    def score(self, binds: Binds = INLINE) -> ColumnElement[float]:
        tier = func.greatest(search.tier_value(self.tiers(binds)), 0)
        return search.score(
            Article.search_vector, self.words, title=Article.title, tier=tier, binds=binds
        )

    def shape(self) -> tuple[Any, ...]:
        """What the statement's structure depends on (values aside): its cache key."""
        present = tuple(name for name, value in filter_values(self.filter).items())
        region = self.filter.region_code is not None
        return (present, region, len(self.words), self.order)

    def parameters(self) -> dict[str, Any]:
        """The named parameters of the statement (see ``hub/db/binds.py``)."""
        values = {f"filter_{name}": value for name, value in filter_values(self.filter).items()}
        if self.filter.region_code is not None:
            values["filter_region_code"] = self.filter.region_code
        return values | (search.parameters(self.words) if self.words else {})


SAME_STORY_TIER = -1  # below every match: scored 0 + title similarity


def same_story_as_matches(words: tuple[str, ...], binds: Binds = INLINE) -> ColumnElement[bool]:
    """Articles related (related coverage) to an article all the words match: other outlets'
    reports of the same story, in their own words."""
    matched = aliased(Article, name="matched")
    related = (
        select(RelatedArticle.related_id)
        .join(matched, matched.id == RelatedArticle.article_id)
        .where(search.matches(matched.search_vector, words, binds))
    )
    return Article.id.in_(related)


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    score: float | None


# Conditions that tie an article to one value; used by filters (a literal) and by nested lists
# (the parent's key, a column of the LATERAL join). Regions: see ``ArticleQuery.scoped``.
def by_agency(agency_id: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.source_agency_id == agency_id
    return condition


def by_agency_type(code: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(Agency.id == Article.source_agency_id, Agency.type_code == code)
        .correlate_except(Agency)
    )


def about_event(event_id: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.event_id == event_id
    return condition


def in_stage(code: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(
            article_election_stages.c.article_id == Article.id,
            article_election_stages.c.stage_code == code,
        )
        .correlate_except(article_election_stages)
    )


def tagged(tag_id: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(article_tags.c.article_id == Article.id, article_tags.c.tag_id == tag_id)
        .correlate_except(article_tags)
    )


def citing(person_id: Any) -> ColumnElement[bool]:
    return (
        exists()
        .where(ArticlePerson.article_id == Article.id, ArticlePerson.person_id == person_id)
        .correlate_except(ArticlePerson)
    )


def published_after(moment: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.published_at >= moment
    return condition


def published_before(moment: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.published_at < moment
    return condition


def in_category(category: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.category == category
    return condition


def in_language(language: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Article.language == language
    return condition


# Filter field -> condition on its value. The region is applied by joining its feed
# (``ArticleQuery.scoped``).
FILTER_CONDITIONS: dict[str, ParentCondition] = {
    "agency_id": by_agency,
    "agency_type": by_agency_type,
    "event_id": about_event,
    "stage_code": in_stage,
    "tag_id": tagged,
    "person_id": citing,
    "category": in_category,
    "language": in_language,
    "published_after": published_after,
    "published_before": published_before,
}


def filter_values(article_filter: ArticleFilter) -> dict[str, Any]:
    """The filter's conditions that are set, with their SQL values (enums by value)."""
    values = {}
    for name in FILTER_CONDITIONS:
        value = getattr(article_filter, name)
        if value is not None:
            values[name] = value.value if isinstance(value, StrEnum) else value
    return values


def filter_conditions(
    article_filter: ArticleFilter, binds: Binds = INLINE
) -> list[ColumnElement[bool]]:
    return [
        FILTER_CONDITIONS[name](binds.value(f"filter_{name}", value))
        for name, value in filter_values(article_filter).items()
    ]


def where(
    viewer: Viewer, query: ArticleQuery, binds: Binds = INLINE, *, paged: bool = True
) -> list[ColumnElement[bool]]:
    """The conditions of the query. Relevance pages match the words through their tiers
    (``paged``); counting needs the match itself — for relevance, the tiers' union: the
    articles the words match and those telling the same stories."""
    conditions = [visible_to(viewer), *filter_conditions(query.filter, binds)]
    relevance = query.order is ArticleOrder.RELEVANCE
    if query.words and not (paged and relevance):
        matched = search.matches(Article.search_vector, query.words, binds)
        if relevance:
            matched = or_(matched, same_story_as_matches(query.words, binds))
        conditions.append(matched)
    return conditions


def _score_column(query: ArticleQuery) -> ColumnElement[Any]:
    return (query.score() if query.words else literal(None)).label("score")


def hit(row: Any) -> ArticleHit:
    return ArticleHit(row[0], row.score)


def hit_of_parent(row: Any) -> ArticleHit:
    return ArticleHit(row[1], row.score)


def statement(viewer: Viewer, query: ArticleQuery) -> Select[Any]:
    """The visible articles ``query`` selects, with their search score (``NULL`` without search)."""
    return query.scoped(select(Article, _score_column(query)).where(*where(viewer, query)))


def counting_statement(viewer: Viewer, query: ArticleQuery) -> Select[Any]:
    """The visible articles ``query`` selects, for counting them."""
    return query.scoped(select(Article).where(*where(viewer, query, paged=False)))


async def count(session: AsyncSession, *, viewer: Viewer, query: ArticleQuery) -> int:
    return await pages.count_rows(session, counting_statement(viewer, query))


async def get_by_slug(session: AsyncSession, *, viewer: Viewer, slug: str) -> Article | None:
    statement = select(Article).where(Article.slug == slug, visible_to(viewer))
    return (await session.scalars(statement)).one_or_none()


async def get_many(session: AsyncSession, *, viewer: Viewer, ids: Sequence[int]) -> list[Article]:
    statement = select(Article).where(Article.id.in_(ids), visible_to(viewer))
    return list((await session.scalars(statement)).all())


async def highlights(
    session: AsyncSession, *, ids: Sequence[int], words: tuple[str, ...]
) -> dict[int, tuple[str, str]]:
    """Highlighted title and body fragments of the given articles for the search words."""
    title, body = search.headline(Article.title, words), search.headline(Article.body, words)
    statement = select(Article.id, title, body).where(Article.id.in_(ids))
    return {row[0]: (row[1], row[2]) for row in (await session.execute(statement)).all()}
