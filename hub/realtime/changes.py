"""A committed outbox row as the broker sees it, and the streams it feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub.realtime.cursor import Position
from hub.vocabulary import OutboxKind


class Stream(StrEnum):
    """What a subscription follows: published articles, the review queue, events."""

    ARTICLES = "articles"
    REVIEW = "review"
    EVENTS = "events"


STREAMS_OF_KIND: dict[str, tuple[Stream, ...]] = {
    OutboxKind.ARTICLE_APPROVED.value: (Stream.ARTICLES, Stream.REVIEW),
    OutboxKind.ARTICLE_CORRECTED.value: (Stream.ARTICLES,),
    OutboxKind.ARTICLE_RETRACTED.value: (Stream.ARTICLES,),
    OutboxKind.ARTICLE_SUBMITTED.value: (Stream.REVIEW,),
    OutboxKind.ARTICLE_REJECTED.value: (Stream.REVIEW,),
    OutboxKind.ARTICLE_IMPORTED.value: (Stream.ARTICLES,),
    OutboxKind.ARTICLE_BACKFILLED.value: (),
    OutboxKind.EVENT_CHANGED.value: (Stream.EVENTS,),
}
"""An approval is published and leaves the review queue; a submission enters the queue, a
rejection leaves it. An import is streamed only when its caller asked (a backfill is recorded
for the change log but no live stream delivers it)."""


@dataclass(frozen=True, slots=True)
class Change:
    position: Position
    kind: str
    entity_type: str
    entity_id: int
    agency_id: int | None
    region_codes: tuple[str, ...]
    payload: dict[str, Any]
    created_at: datetime

    @property
    def streams(self) -> tuple[Stream, ...]:
        return STREAMS_OF_KIND.get(self.kind, ())

    @classmethod
    def from_row(cls, row: Any) -> Change:
        return cls(
            position=(int(row.txid), int(row.id)),
            kind=row.kind,
            entity_type=row.entity_type,
            entity_id=int(row.entity_id),
            agency_id=row.agency_id,
            region_codes=tuple(row.region_codes or ()),
            payload=dict(row.payload or {}),
            created_at=row.created_at,
        )
