"""What one request read: the entities and lists its answer depends on.

The response cache tags each answer with these reads, so that a change drops exactly the
answers it could alter (``hub/http/invalidation.py``). Recording is on only inside
:func:`recording` (a context variable, inherited by the DataLoader batches the request
starts); elsewhere every call is a cheap no-op. The read paths call:

* :func:`entity` for each article or event they return or look up (by id or slug, found
  or not: a look-up that found nothing depends on the thing appearing later);
* :func:`article_list` for each article list they evaluate, with its filter (``None``: the
  list may hold any article, e.g. a search or related coverage);
* :func:`event_list` for each event list.

Plain values only (no GraphQL, no SQL): every layer may call it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from hub.filters import ArticleFilter

ARTICLE = "article"
ARTICLE_SLUG = "article-slug"
EVENT = "event"
EVENT_SLUG = "event-slug"

Entity = tuple[str, Hashable]


@dataclass(slots=True)
class Reads:
    entities: set[Entity] = field(default_factory=set)
    article_lists: set[ArticleFilter | None] = field(default_factory=set)
    event_lists: bool = False


_current: ContextVar[Reads | None] = ContextVar("hub_reads", default=None)


@contextlib.contextmanager
def recording() -> Iterator[Reads]:
    """Record the reads of the code run inside (and of the tasks it starts)."""
    reads = Reads()
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)


def entity(kind: str, key: Hashable) -> None:
    if (reads := _current.get()) is not None:
        reads.entities.add((kind, key))


def article_list(article_filter: ArticleFilter | None) -> None:
    if (reads := _current.get()) is not None:
        reads.article_lists.add(article_filter)


def event_list() -> None:
    if (reads := _current.get()) is not None:
        reads.event_lists = True
