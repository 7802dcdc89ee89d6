"""Subscription filters over outbox rows, and the index keys that make matching cheap.

A filter is a frozen, hashable value: subscribers with equal filters share one filter
group in the registry. Each filter names one *index key* (its most selective condition);
each change names every key it can be found under (``change_keys``). The registry looks
a change up under its keys and checks the remaining conditions of each group found there.

Article filters match the fields the outbox payload carries: the region codes (already
expanded with their parent provinces, so a province matches its regencies), the agency,
its type, election stages, tags and the event. ``matches`` also checks that the change
feeds the filter's stream, so a replay can test every row of the outbox with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from hub.realtime.changes import Change, Stream

IndexKey = tuple[str, object]
CATCH_ALL: IndexKey = ("*", None)


class Filter(Protocol):
    @property
    def stream(self) -> Stream: ...

    def matches(self, change: Change) -> bool: ...

    def index_key(self) -> IndexKey: ...


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Every given condition must hold; an empty filter matches every published change."""

    region_code: str | None = None
    agency_id: int | None = None
    agency_type: str | None = None
    stage_code: str | None = None
    tag_slug: str | None = None
    event_id: int | None = None

    @property
    def stream(self) -> Stream:
        return Stream.ARTICLES

    def matches(self, change: Change) -> bool:
        payload = change.payload
        return (
            Stream.ARTICLES in change.streams
            and (self.region_code is None or self.region_code in change.region_codes)
            and (self.agency_id is None or self.agency_id == change.agency_id)
            and (self.agency_type is None or self.agency_type == payload.get("agency_type"))
            and (self.stage_code is None or self.stage_code in payload.get("stage_codes", ()))
            and (self.tag_slug is None or self.tag_slug in payload.get("tag_slugs", ()))
            and (self.event_id is None or self.event_id == payload.get("event_id"))
        )

    def index_key(self) -> IndexKey:
        # Most selective first: an event or tag narrows more than a province.
        for dimension, value in (
            ("event", self.event_id),
            ("tag", self.tag_slug),
            ("agency", self.agency_id),
            ("region", self.region_code),
            ("stage", self.stage_code),
            ("agency_type", self.agency_type),
        ):
            if value is not None:
                return (dimension, value)
        return CATCH_ALL


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Changes of one event."""

    event_id: int

    @property
    def stream(self) -> Stream:
        return Stream.EVENTS

    def matches(self, change: Change) -> bool:
        return Stream.EVENTS in change.streams and change.entity_id == self.event_id

    def index_key(self) -> IndexKey:
        return ("event", self.event_id)


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """The review queue of one agency: its submissions, and their approval or rejection."""

    agency_id: int

    @property
    def stream(self) -> Stream:
        return Stream.REVIEW

    def matches(self, change: Change) -> bool:
        return Stream.REVIEW in change.streams and change.agency_id == self.agency_id

    def index_key(self) -> IndexKey:
        return ("agency", self.agency_id)


def change_keys(change: Change, stream: Stream) -> Iterator[IndexKey]:
    """Every index key under which a filter of ``stream`` matching ``change`` can be
    registered."""
    yield CATCH_ALL
    payload = change.payload
    if stream is Stream.EVENTS:
        yield ("event", change.entity_id)
        return
    if stream is Stream.REVIEW:
        if change.agency_id is not None:
            yield ("agency", change.agency_id)
        return
    if payload.get("event_id") is not None:
        yield ("event", payload["event_id"])
    for tag in payload.get("tag_slugs", ()):
        yield ("tag", tag)
    if change.agency_id is not None:
        yield ("agency", change.agency_id)
    for code in change.region_codes:
        yield ("region", code)
    for stage in payload.get("stage_codes", ()):
        yield ("stage", stage)
    if payload.get("agency_type") is not None:
        yield ("agency_type", payload["agency_type"])
