"""A page of articles as plain rows, with their agency, event, regions, tags and stages inlined.

The fast path of article lists (``hub/schema/projection.py``): when a query asks only for plain
data of articles and of these edges, one statement returns everything — to-one edges joined
(columns ``agency__name``...), to-many edges as JSON arrays — instead of one statement per edge.
It uses the same conditions, visibility rule and keyset pagination as ``list_page``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth import Viewer
from hub.db import search
from hub.db.keyset import Page, PageRows
from hub.db.models import (
    Agency,
    Article,
    ElectionStage,
    Event,
    Region,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.db.repositories import pages
from hub.db.repositories.article import ArticleQuery, where

# To-many edges: (link table, target model, join condition, order column).
LISTS: dict[str, tuple[Any, Any, Any, Any]] = {
    "regions": (
        article_regions,
        Region,
        Region.code == article_regions.c.region_code,
        Region.code,
    ),
    "tags": (article_tags, Tag, Tag.id == article_tags.c.tag_id, Tag.slug),
    "stages": (
        article_election_stages,
        ElectionStage,
        ElectionStage.code == article_election_stages.c.stage_code,
        ElectionStage.ordinal,
    ),
}


@dataclass(frozen=True)
class ArticleNeeds:
    """Which columns a query needs: of articles, of the joined edges, of the listed edges."""

    article: frozenset[str]
    agency: frozenset[str] = frozenset()
    event: frozenset[str] = frozenset()
    lists: dict[str, frozenset[str]] = field(default_factory=dict)  # name -> target columns
    highlight: bool = False


def _json_list(name: str, columns: frozenset[str]) -> Any:
    link, model, joined, order = LISTS[name]
    pairs: list[Any] = []
    for column in sorted(columns):
        pairs += [literal_column(f"'{column}'"), getattr(model, column)]
    aggregate = func.coalesce(
        func.json_agg(aggregate_order_by(func.json_build_object(*pairs), order)),
        literal_column("'[]'::json"),
    )
    return (
        select(aggregate)
        .select_from(link.join(model, joined))
        .where(link.c.article_id == Article.id)
        .correlate(Article)
        .scalar_subquery()
        .label(name)
    )


def statement(viewer: Viewer, query: ArticleQuery, needs: ArticleNeeds) -> Select[Any]:
    columns: list[Any] = [getattr(Article, name) for name in sorted(needs.article | {"id"})]
    score = query.score() if query.words else literal_column("NULL")
    columns.append(score.label("score"))
    statement = query.scoped(select(*columns).where(*where(viewer, query)))
    if needs.agency:
        agency = aliased(Agency, name="source_agency")
        statement = statement.join(agency, agency.id == Article.source_agency_id).add_columns(
            *(getattr(agency, name).label(f"agency__{name}") for name in sorted(needs.agency))
        )
    if needs.event:
        event = aliased(Event, name="reported_event")
        statement = statement.outerjoin(event, event.id == Article.event_id).add_columns(
            event.id.label("event__present"),
            *(getattr(event, name).label(f"event__{name}") for name in sorted(needs.event)),
        )
    for name, wanted in sorted(needs.lists.items()):
        statement = statement.add_columns(_json_list(name, wanted))
    if needs.highlight:  # null without search words
        title, snippet = (
            (
                search.headline(Article.title, query.words),
                search.headline(Article.body, query.words),
            )
            if query.words
            else (literal_column("NULL"), literal_column("NULL"))
        )
        statement = statement.add_columns(
            title.label("highlight__title"), snippet.label("highlight__snippet")
        )
    return statement


async def page_rows(
    session: AsyncSession, *, viewer: Viewer, query: ArticleQuery, needs: ArticleNeeds, page: Page
) -> PageRows[Any]:
    """The page's rows as mappings (article columns, ``agency__*``, ``event__*``, JSON lists)."""
    return await pages.select_page(
        session, statement(viewer, query, needs), query.ordering(), page, lambda row: row._mapping
    )
