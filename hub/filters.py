"""Validated filters over articles: plain values every layer can use (no GraphQL, no SQL).

``ArticleFilter`` is what remains after the codes, slugs and IDs a client sent have been checked
against the database (``hub/resolvers/filters.py``): every field is ``None`` (no condition) or a
known value, and the conditions combine with AND. Repositories turn it into SQL
(``hub/db/repositories/article.py``); live feeds can match change records against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.vocabulary import ArticleCategory, Language


@dataclass(frozen=True)
class ArticleFilter:
    """Conditions on articles, all optional, combined with AND."""

    # Kemendagri code; matches articles covering this region or any region below it.
    region_code: str | None = None
    # The codes of that subtree (the region and its descendants), filled in by validation.
    region_subtree: tuple[str, ...] = ()
    agency_id: int | None = None  # source agency
    agency_type: str | None = None  # agency type code of the source agency
    event_id: int | None = None
    stage_code: str | None = None  # election stage code
    tag_id: int | None = None
    tag_slug: str | None = None
    person_id: int | None = None  # quoted or mentioned
    category: ArticleCategory | None = None
    language: Language | None = None
    published_after: datetime | None = None  # inclusive
    published_before: datetime | None = None  # exclusive


NO_FILTER = ArticleFilter()
