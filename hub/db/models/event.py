"""Events (forums, briefings) and the people who speak at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import (
    Base,
    created_at_column,
    one_of,
    search_index,
    trigram_index,
    updated_at_column,
)
from hub.vocabulary import CALENDAR_ZONE, SpeakerRole

_OFFSET = CALENDAR_ZONE.utcoffset(None)


def _midnight(column: str) -> str:
    """SQL: ``column`` is a midnight of ``CALENDAR_ZONE`` (as all-day events store their days)."""
    return f"(({column} AT TIME ZONE 'UTC') + interval '{_OFFSET}')::time = '00:00'"


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A date without a time: starts_at/ends_at hold midnight (CALENDAR_ZONE) of the first and
    # last day, so all-day and timed events list together in one order.
    all_day: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="time_range_in_order"),
        CheckConstraint(
            f"NOT all_day OR ({_midnight('starts_at')} "
            f"AND (ends_at IS NULL OR {_midnight('ends_at')}))",
            name="all_day_at_midnight",
        ),
        Index("ix_events_starts_at_id", "starts_at", "id"),
        search_index(
            "ix_events_search",
            "hub_search_document(title, theme, "
            "(COALESCE(description, ''::text) || ' '::text) || COALESCE(venue, ''::text))",
        ),
        trigram_index("ix_events_title_trgm", "title"),
    )


class EventSpeaker(Base):
    __tablename__ = "event_speakers"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    topic: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (one_of("role", SpeakerRole, "role"),)
