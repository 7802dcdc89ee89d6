"""Related coverage: other agencies' articles about the same story as a given article.

Candidates are visible articles from *other* agencies that report on the same event, or that
were listed within ``WINDOW`` (two days) of the article and whose title is trigram-similar to
the article's (pg_trgm ``similarity`` ≥ ``MIN_SIMILARITY``: near-duplicates and rewrites of the
same release). Score: the title similarity (0–1), plus 1 for the same event, so same-event
coverage comes first. The pages of many articles are fetched in one statement (``LATERAL``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Float, Integer, and_, cast, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth import Viewer
from hub.db.keyset import Ordering, Page, PageRows
from hub.db.models import Article
from hub.db.repositories import pages
from hub.db.repositories.article import visible_to

WINDOW = timedelta(days=2)
MIN_SIMILARITY = 0.4
# The cursor shape of related pages; the key columns are bound per query.
CURSOR = Ordering("related", (), True, (float, int))


@dataclass(frozen=True)
class Related:
    article: Article
    score: float
    same_event: bool


async def related_pages(
    session: AsyncSession, *, viewer: Viewer, source_ids: Sequence[int], page: Page
) -> list[PageRows[Related]]:
    """One page of related coverage per source article id (aligned with ``source_ids``)."""
    source = aliased(Article, name="source")
    similarity = func.similarity(Article.title, source.title)
    same_event = and_(source.event_id.is_not(None), Article.event_id == source.event_id)
    score = cast(func.coalesce(cast(same_event, Integer), 0) + similarity, Float)
    ordering = Ordering("related", (score, Article.id), True, (float, int))
    window = Article.listed_at.between(source.listed_at - WINDOW, source.listed_at + WINDOW)
    candidates = (
        select(Article, score.label("score"), same_event.label("same_event"))
        .select_from(Article)
        .join(source, true())
        .where(
            visible_to(viewer),
            Article.id != source.id,
            Article.source_agency_id != source.source_agency_id,
            or_(same_event, and_(window, similarity >= MIN_SIMILARITY)),
        )
    )
    return await pages.select_pages_by_parent(
        session,
        candidates,
        Article,
        lambda key: source.id == key,
        source_ids,
        Integer(),
        ordering,
        page,
        lambda row: Related(row[1], float(row.score), bool(row.same_event)),
    )
