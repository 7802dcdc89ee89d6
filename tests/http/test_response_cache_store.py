"""The response cache's bookkeeping, driven as the broker and the endpoint drive it: fills
that race a change, the byte bound, lifetimes, event changes, unknown kinds, outages."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub import reads
from hub.filters import ArticleFilter
from hub.http.response_cache import Key, ResponseCache
from hub.realtime.changes import Change
from hub.vocabulary import OutboxKind
from tests.factories import settings_for

FEED = "query Feed($region: String!) { articles(filter: {region: $region}) { totalCount } }"
DETAIL = '{ article(slug: "x") { title } }'
_positions = iter(range(1, 1_000_000))


def cache(**overrides: Any) -> ResponseCache:
    settings = settings_for(
        "postgresql://unused@localhost/unused",
        Path("/nonexistent"),
        **{"response_cache_bytes": 1024 * 1024, **overrides},
    )
    made = ResponseCache(settings)
    made.caught_up((0, 0))
    return made


def key(query: str, variables: bytes = b"") -> Key:
    return ("test", query, variables, "")


def change(kind: OutboxKind, entity_id: int, *, regions: tuple[str, ...] = ("64",)) -> Change:
    return Change(
        position=(1, next(_positions)),
        kind=kind.value,
        entity_type="event" if kind is OutboxKind.EVENT_CHANGED else "article",
        entity_id=entity_id,
        agency_id=7,
        region_codes=regions,
        payload={"slug": f"slug-{entity_id}", "stage_codes": [], "tag_slugs": []},
        created_at=datetime.now(UTC),
    )


def fill(store: ResponseCache, k: Key, query: str, body: bytes = b"{}", **read: Any) -> None:
    with store.filling(k) as filling:
        record(**read)
    store.keep(filling, body, query=query, operation_name=None)


def record(
    *, articles: tuple[int, ...] = (), feed: ArticleFilter | None = None, events: bool = False
) -> None:
    for article_id in articles:
        reads.entity(reads.ARTICLE, article_id)
    if feed is not None:
        reads.article_list(feed)
    if events:
        reads.event_list()


KALTIM = ArticleFilter(region_code="64")


def test_a_fill_that_a_change_overtook_is_not_kept() -> None:
    store = cache()
    k = key(FEED)
    with store.filling(k) as filling:
        record(feed=KALTIM)
        # The approval is dispatched while the answer is being read: the answer may
        # predate it, and its invalidation came before the answer existed.
        store.changed([change(OutboxKind.ARTICLE_APPROVED, 1)])
    store.keep(filling, b"{}", query=FEED, operation_name=None)
    assert store.get(k) is None
    assert store.stats.late == 1

    # An unrelated change during the fill does not stop it from being kept.
    with store.filling(k) as filling:
        record(feed=KALTIM)
        store.changed([change(OutboxKind.ARTICLE_APPROVED, 2, regions=("35",))])
    store.keep(filling, b"{}", query=FEED, operation_name=None)
    assert store.get(k) == b"{}"


def test_mutations_are_never_kept() -> None:
    store = cache()
    mutation = "mutation { logout }"
    fill(store, key(mutation), mutation)
    assert store.get(key(mutation)) is None


def test_capacity_is_counted_in_bytes_least_recently_used_first() -> None:
    store = cache(response_cache_bytes=12_000)  # three answers and their bookkeeping
    body = b"x" * 3_000
    keys = [key(FEED, str(n).encode()) for n in range(4)]
    for k in keys[:3]:
        fill(store, k, FEED, body, feed=KALTIM)
    assert store.get(keys[0]) == body  # now the most recently used
    fill(store, keys[3], FEED, body, feed=KALTIM)
    assert store.stats.bytes <= 12_000
    assert store.get(keys[1]) is None  # the least recently used went
    assert store.get(keys[0]) == body
    assert store.stats.evictions == 1
    # The index forgets evicted entries: a change concerning them drops only the others.
    store.changed([change(OutboxKind.ARTICLE_APPROVED, 9)])
    assert store.stats.entries == 0
    assert store.stats.bytes == 0


def test_answers_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    store = cache(response_cache_ttl=30)
    fill(store, key(DETAIL), DETAIL, articles=(1,))
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert store.get(key(DETAIL)) is None
    assert store.stats.expirations == 1


def test_an_event_change_drops_the_event_and_event_lists_only() -> None:
    store = cache()
    event_detail, events, articles = key("{ e }"), key("{ es }"), key(FEED)
    with store.filling(event_detail) as filling:
        reads.entity(reads.EVENT, 5)
    store.keep(filling, b"{}", query="{ e }", operation_name=None)
    fill(store, events, "{ es }", events=True)
    fill(store, articles, FEED, feed=KALTIM, articles=(5,))  # article 5, not event 5
    store.changed([change(OutboxKind.EVENT_CHANGED, 5)])
    assert store.get(event_detail) is None
    assert store.get(events) is None
    assert store.get(articles) == b"{}"


def test_submissions_keep_everything_and_unknown_kinds_drop_everything() -> None:
    store = cache()
    fill(store, key(FEED), FEED, feed=KALTIM)
    store.changed([change(OutboxKind.ARTICLE_SUBMITTED, 1)])
    assert store.get(key(FEED)) == b"{}"
    store.changed([replace(change(OutboxKind.ARTICLE_SUBMITTED, 1), kind="agency.renamed")])
    assert store.get(key(FEED)) is None


def test_while_the_outbox_cannot_be_read_nothing_is_served_or_kept() -> None:
    store = cache()
    fill(store, key(FEED), FEED, feed=KALTIM)
    store.interrupted()
    assert store.get(key(FEED)) is None
    fill(store, key(FEED), FEED, feed=KALTIM)
    assert store.get(key(FEED)) is None
    store.caught_up((1, 1))
    fill(store, key(FEED), FEED, feed=KALTIM)
    assert store.get(key(FEED)) == b"{}"
