"""GraphQL ``Event`` and ``EventSpeaker``."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from hub import reads
from hub.context import Context
from hub.db import models
from hub.resolvers import global_id
from hub.schema.agency import Agency, agency_or_none
from hub.schema.enums import SpeakerRole
from hub.schema.nested import article_list
from hub.schema.node import Node
from hub.schema.person import Person
from hub.schema.region import Region, region_or_none
from hub.vocabulary import calendar_day


@strawberry.type(description="A person speaking at an event, in a given role.")
class EventSpeaker:
    role: SpeakerRole = strawberry.field(description="Opening, keynote, speaker or moderator.")
    topic: str | None = strawberry.field(description="What the person spoke about.")
    person_id: strawberry.Private[int]

    @strawberry.field(description="Who spoke.")
    async def person(self, info: Info[Context, None]) -> Person:
        row = await info.context.loaders.person_by_id.load(self.person_id)
        assert row is not None  # enforced by a foreign key
        return Person.from_row(row)


@strawberry.type(description="A forum, briefing or other gathering covered by articles.")
class Event(Node):
    key: strawberry.Private[int]
    slug: str = strawberry.field(description="Unique, URL-friendly name.")
    title: str = strawberry.field(description="Name of the event.")
    description: str | None = strawberry.field(description="What the event is about.")
    theme: str | None = strawberry.field(description="Official theme.")
    venue: str | None = strawberry.field(description="Where it takes place.")
    starts_at: datetime = strawberry.field(
        description="Start time (with time zone); for an all-day event, midnight of its first "
        "day in Western Indonesia Time (UTC+7)."
    )
    ends_at: datetime | None = strawberry.field(
        description="End time, when known; for an all-day event, midnight of its last day."
    )
    all_day: bool = strawberry.field(
        description="Known by date only: read `startsOn` and `endsOn`, not the times."
    )
    starts_on: date | None = strawberry.field(description="First day of an all-day event.")
    ends_on: date | None = strawberry.field(description="Last day of an all-day event, when known.")
    version: int = strawberry.field(
        description="Edit counter; an update must send the version it saw."
    )
    region_code: strawberry.Private[str | None]
    organiser_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Event) -> Event:
        reads.entity(reads.EVENT, row.id)
        return cls(
            id=strawberry.ID(global_id.encode("Event", row.id)),
            key=row.id,
            slug=row.slug,
            title=row.title,
            description=row.description,
            theme=row.theme,
            venue=row.venue,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            all_day=row.all_day,
            starts_on=calendar_day(row.starts_at) if row.all_day else None,
            ends_on=calendar_day(row.ends_at) if row.all_day and row.ends_at else None,
            region_code=row.region_code,
            organiser_id=row.organiser_id,
            version=row.version,
        )

    @strawberry.field(description="The region where the event takes place.")
    async def region(self, info: Info[Context, None]) -> Region | None:
        return await region_or_none(info, self.region_code)

    @strawberry.field(description="The agency that organises the event.")
    async def organiser(self, info: Info[Context, None]) -> Agency | None:
        return await agency_or_none(info, self.organiser_id)

    @strawberry.field(description="Speakers in programme order, with their role.")
    async def speakers(self, info: Info[Context, None]) -> list[EventSpeaker]:
        rows = await info.context.loaders.speakers_by_event_id.load(self.key)
        return [
            EventSpeaker(role=SpeakerRole(row.role), topic=row.topic, person_id=row.person_id)
            for row in rows
        ]

    articles = article_list(
        "event.articles",
        lambda event: event.key,
        "Published articles about the event, newest first.",
    )


async def event_or_none(info: Info[Context, None], event_id: int | None) -> Event | None:
    if event_id is None:
        return None
    row = await info.context.loaders.event_by_id.load(event_id)
    return Event.from_row(row) if row else None
