"""One ranked list over articles, events, people and agencies (the root ``search`` field).

Each kind is matched and scored like articles (``hub/db/search.py``) over its own search
document — the expression indexes of migration 0002 — then the kinds are merged by score.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, func, literal, null, select, union_all

from hub.auth import Viewer
from hub.db import search
from hub.db.keyset import Ordering
from hub.db.models import Agency, Article, Event, Person
from hub.db.repositories.article import visible_to

KINDS = ("article", "event", "person", "agency")


def documents() -> dict[str, tuple[Any, Any, Any]]:
    """Per kind: (model, search document expression, title-like column)."""
    return {
        "article": (Article, Article.search_vector, Article.title),
        "event": (
            Event,
            func.hub_search_document(
                Event.title,
                Event.theme,
                func.coalesce(Event.description, "")
                .concat(" ")
                .concat(func.coalesce(Event.venue, "")),
            ),
            Event.title,
        ),
        "person": (
            Person,
            func.hub_search_document(Person.name, Person.position, null().cast(String)),
            Person.name,
        ),
        "agency": (
            Agency,
            func.hub_search_document(Agency.name, Agency.acronym, null().cast(String)),
            Agency.name,
        ),
    }


def statement(
    viewer: Viewer, words: tuple[str, ...], kinds: tuple[str, ...] = KINDS
) -> tuple[Select[Any], Ordering]:
    """``(kind, id, score)`` rows of every match, and the ordering (best first)."""
    parts = []
    for kind, (model, document, title) in documents().items():
        if kind not in kinds:
            continue
        part = select(
            literal(kind, String).label("kind"),
            model.id.label("id"),
            search.score(
                document, words, title=title, tier=search.title_tier(document, words)
            ).label("score"),
        ).where(search.matches(document, words))
        if model is Article:
            part = part.where(visible_to(viewer))
        parts.append(part)
    merged = union_all(*parts).subquery("results")
    ordering = Ordering(
        "search", (merged.c.score, merged.c.kind, merged.c.id), True, (float, str, int)
    )
    return select(merged.c.kind, merged.c.id, merged.c.score), ordering
