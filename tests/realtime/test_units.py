"""Cursors, filters and the registry: pure logic, no database."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from datetime import UTC, datetime, timedelta

import pytest

from hub.realtime import cursor
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter, EventFilter, ReviewFilter
from hub.realtime.frames import Rendered, message_prefix, text_frame
from hub.realtime.heap import RECLAIM_AFTER_CLOSED, HeapKeeper
from hub.realtime.history import History
from hub.realtime.registry import Registry
from hub.realtime.subscriber import Subscriber


def article_change(row_id: int = 1, kind: str = "article.approved", **payload: object) -> Change:
    return Change(
        position=(1000 + row_id, row_id),
        kind=kind,
        entity_type="article",
        entity_id=row_id,
        agency_id=int(payload.pop("agency_id", 7)),  # type: ignore[call-overload]
        region_codes=tuple(payload.pop("regions", ("64", "64.71"))),  # type: ignore[arg-type]
        payload={
            "agency_type": "kpu",
            "stage_codes": ["kampanye"],
            "tag_slugs": ["pemilu-2024"],
            "event_id": 3,
            **payload,
        },
        created_at=datetime.now(UTC),
    )


def test_cursor_round_trip_and_rejects_forgeries() -> None:
    position = (123456789012, 42)
    assert cursor.decode(cursor.encode(position)) == position
    for bad in ("", "abc", cursor.encode(position) + "x", "LTEuMQ", "MS4y=", "a" * 100):
        with pytest.raises(cursor.InvalidCursor):
            cursor.decode(bad)


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        (ArticleFilter(), True),
        (ArticleFilter(region_code="64"), True),  # province: its regencies' articles too
        (ArticleFilter(region_code="64.71"), True),
        (ArticleFilter(region_code="63"), False),
        (ArticleFilter(agency_id=7), True),
        (ArticleFilter(agency_id=8), False),
        (ArticleFilter(agency_type="kpu"), True),
        (ArticleFilter(agency_type="bawaslu"), False),
        (ArticleFilter(stage_code="kampanye"), True),
        (ArticleFilter(stage_code="pemungutan_suara"), False),
        (ArticleFilter(tag_slug="pemilu-2024"), True),
        (ArticleFilter(tag_slug="lain"), False),
        (ArticleFilter(event_id=3), True),
        (ArticleFilter(event_id=4), False),
        (ArticleFilter(region_code="64", agency_type="kpu", stage_code="kampanye"), True),
        (ArticleFilter(region_code="64", agency_type="bawaslu"), False),
    ],
)
def test_registry_finds_exactly_the_matching_filters(
    filter_: ArticleFilter, expected: bool
) -> None:
    registry = Registry()
    subscriber = Subscriber(sink=None, operation_id="1", filter=filter_, selection="s")  # type: ignore[arg-type]
    registry.add(subscriber)
    change = article_change()
    assert filter_.matches(change) is expected
    assert registry.match(change) == ([subscriber] if expected else [])


def test_registry_groups_equal_filters_and_never_returns_a_subscriber_twice() -> None:
    registry = Registry()
    subscribers = [
        Subscriber(
            sink=None, operation_id=str(n), filter=ArticleFilter(region_code=code), selection="s"
        )  # type: ignore[arg-type]
        for n, code in enumerate(["64", "64", "64.71", "63"])
    ]
    for subscriber in subscribers:
        registry.add(subscriber)
    assert registry.filter_groups == 3
    matched = registry.match(article_change())
    assert sorted(s.operation_id for s in matched) == ["0", "1", "2"]
    registry.remove(subscribers[0])
    registry.remove(subscribers[0])  # twice is harmless
    assert registry.count == 3
    assert sorted(s.operation_id for s in registry.match(article_change())) == ["1", "2"]


def test_event_stream_is_separate_from_article_stream() -> None:
    registry = Registry()
    follower = Subscriber(
        sink=None, operation_id="e", filter=EventFilter(event_id=3), selection="s"
    )  # type: ignore[arg-type]
    registry.add(follower)
    assert registry.match(article_change()) == []  # an article about event 3 is not an event change
    change = Change(
        position=(1, 1),
        kind="event.changed",
        entity_type="event",
        entity_id=3,
        agency_id=None,
        region_codes=(),
        payload={},
        created_at=datetime.now(UTC),
    )
    assert registry.match(change) == [follower]
    catch_all = Subscriber(sink=None, operation_id="a", filter=ArticleFilter(), selection="s")  # type: ignore[arg-type]
    registry.add(catch_all)
    assert registry.match(article_change()) == [catch_all]
    submitted = Change(
        position=(2, 2),
        kind="article.submitted",
        entity_type="article",
        entity_id=5,
        agency_id=7,
        region_codes=("64",),
        payload={},
        created_at=datetime.now(UTC),
    )
    assert registry.match(submitted) == []  # submissions are not published information


@pytest.mark.parametrize(
    ("kind", "published", "queued"),
    [
        ("article.submitted", False, True),
        ("article.approved", True, True),  # published, and it leaves the queue
        ("article.rejected", False, True),
        ("article.corrected", True, False),
        ("article.retracted", True, False),
        ("event.changed", False, False),
    ],
)
def test_each_kind_feeds_its_streams(kind: str, published: bool, queued: bool) -> None:
    """Filters check the stream themselves: a replay tests every outbox row with them."""
    change = article_change(kind=kind, agency_id=7)
    assert ArticleFilter().matches(change) is published
    assert ReviewFilter(agency_id=7).matches(change) is queued
    assert ReviewFilter(agency_id=8).matches(change) is False
    registry = Registry()
    subscribers = {
        name: Subscriber(sink=None, operation_id=name, filter=filter_, selection="s")  # type: ignore[arg-type]
        for name, filter_ in {
            "public": ArticleFilter(agency_id=7),
            "queue": ReviewFilter(agency_id=7),
            "other queue": ReviewFilter(agency_id=8),
        }.items()
    }
    for subscriber in subscribers.values():
        registry.add(subscriber)
    expected = {"public"} if published else set()
    expected |= {"queue"} if queued else set()
    assert {subscriber.operation_id for subscriber in registry.match(change)} == expected


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_text_frames_are_unmasked_final_text_frames_of_the_right_length(size: int) -> None:
    message = b"x" * size
    frame = text_frame(message)
    assert frame[0] == 0x81  # FIN, text
    assert frame[1] & 0x80 == 0  # not masked
    declared, header = frame[1] & 0x7F, 2
    if declared == 126:
        declared, header = int.from_bytes(frame[2:4], "big"), 4
    elif declared == 127:
        declared, header = int.from_bytes(frame[2:10], "big"), 10
    assert declared == size
    assert frame[header:] == message


def test_a_rendered_result_is_encoded_once_per_message_prefix() -> None:
    rendered = Rendered(b'{"data":{"x":1}}')
    first = message_prefix("1", "next")
    assert rendered.frame(first) is rendered.frame(message_prefix("1", "next"))
    assert rendered.text(first) == '{"id":"1","type":"next","payload":{"data":{"x":1}}}'
    assert rendered.text(message_prefix('a"b', "data")).startswith('{"id":"a\\"b","type":"data"')


def test_the_heap_keeper_hides_long_lived_objects_and_reclaims_them_later() -> None:
    keeper = HeapKeeper(interval=1, open_connections=lambda: 10)
    try:
        cycle = Node()
        cycle.next = cycle
        alive = weakref.ref(cycle)
        keeper.step()
        assert gc.get_freeze_count() > 0
        del cycle
        gc.collect()
        assert alive() is not None  # frozen while alive: ordinary collections skip it
        for _ in range(RECLAIM_AFTER_CLOSED):
            keeper.connection_closed()
        keeper.step()  # as many closed as open (and at least the minimum): reclaim
        assert alive() is None
        assert (keeper.freezes, keeper.reclaims, keeper.closed) == (2, 1, 0)
    finally:
        gc.unfreeze()


def test_the_heap_keeper_collects_old_garbage_before_freezing() -> None:
    keeper = HeapKeeper(interval=1, open_connections=lambda: 10)
    try:
        cycle = Node()
        cycle.next = cycle
        gone = weakref.ref(cycle)
        gc.collect()  # it survives: now in the oldest generation
        del cycle  # garbage there, where a collection of the young ones does not look
        keeper.step()
        assert gone() is None  # collected, not frozen for good
    finally:
        gc.unfreeze()


class Node:
    next: Node | None = None


def aged(change: Change, seconds: float) -> Change:
    return dataclasses.replace(change, created_at=datetime.now(UTC) - timedelta(seconds=seconds))


def test_the_history_covers_what_it_holds_and_lets_go_of_the_oldest() -> None:
    history = History(size=3, seconds=600)
    changes = [article_change(n) for n in range(1, 7)]
    assert not history.covers((0, 0))  # not filled yet: vouches for nothing
    history.fill(changes[:2], floor=cursor.ORIGIN, upto=changes[1].position)
    assert history.covers(cursor.ORIGIN)
    assert history.vouches_for(cursor.ORIGIN)
    history.extend(changes[2:5])  # five read, three kept
    assert len(history) == 3
    assert history.floor == changes[1].position
    assert not history.covers(changes[0].position)
    assert history.vouches_for(changes[1].position)  # the floor: everything after is here
    assert history.vouches_for(changes[3].position)
    assert not history.vouches_for((changes[3].position[0], 999))  # never issued
    assert not history.covers(changes[5].position)  # ahead of what was read
    assert history.since(changes[1].position, changes[4].position) == changes[2:5]
    assert history.since(changes[2].position, changes[3].position) == [changes[3]]


def test_the_history_lets_go_of_changes_older_than_its_age() -> None:
    history = History(size=100, seconds=60)
    old, young = aged(article_change(1), 120), article_change(2)
    history.fill([old, young], floor=cursor.ORIGIN, upto=young.position)
    assert history.floor == old.position
    assert not history.covers(cursor.ORIGIN)
    assert history.since(old.position, young.position) == [young]


def test_a_history_of_size_zero_covers_nothing() -> None:
    history = History(size=0, seconds=60)
    change = article_change(1)
    history.fill([], floor=cursor.ORIGIN, upto=change.position)
    history.extend([article_change(2)])
    assert not history.covers(change.position)
    assert history.upto == article_change(2).position
