"""Event mutations: create and update events with their speakers."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import Maybe
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import event_write as resolvers
from hub.resolvers.event_write import Speaker
from hub.schema.enums import SpeakerRole
from hub.schema.event import Event
from hub.schema.inputs import PROSE
from hub.schema.payloads import (
    UserError,
    all_fields,
    attempt,
    given_fields,
    unchanged_on_null,
)


@strawberry.input(description="A person speaking at an event.")
class SpeakerInput:
    person_slug: str
    role: SpeakerRole = SpeakerRole.SPEAKER
    topic: str | None = strawberry.field(default=None, directives=[PROSE])

    def to_domain(self) -> Speaker:
        return Speaker(person_slug=self.person_slug, role=self.role, topic=self.topic)


@strawberry.input(description="A new event of an organising agency.")
class CreateEventInput:
    organiser_slug: str
    title: str
    starts_at: datetime | None = strawberry.field(
        default=None, description="Start time; or `startsOn` for an event known only by date."
    )
    ends_at: datetime | None = None
    starts_on: date | None = strawberry.field(
        default=None, description="First day of an all-day event (no time); not with `startsAt`."
    )
    ends_on: date | None = strawberry.field(
        default=None, description="Last day of an all-day event."
    )
    slug: str | None = strawberry.field(default=None, description="Default: from the title.")
    description: str | None = strawberry.field(default=None, directives=[PROSE])
    theme: str | None = strawberry.field(default=None, directives=[PROSE])
    venue: str | None = None
    region_code: str | None = None
    speakers: list[SpeakerInput] = strawberry.field(
        default_factory=list, description="In programme order."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key returns the first result."
    )


@strawberry.input(description="Changes to an event; fields left out stay as they are.")
class UpdateEventInput:
    slug: str
    version: int
    title: Maybe[str | None] = unchanged_on_null()
    starts_at: Maybe[datetime | None] = unchanged_on_null("Makes the event a timed one.")
    ends_at: Maybe[datetime | None]
    starts_on: Maybe[date | None] = unchanged_on_null("Makes the event an all-day one.")
    ends_on: Maybe[date | None]
    description: Maybe[str | None] = strawberry.field(directives=[PROSE])
    theme: Maybe[str | None] = strawberry.field(directives=[PROSE])
    venue: Maybe[str | None]
    region_code: Maybe[str | None]
    speakers: Maybe[list[SpeakerInput] | None] = unchanged_on_null("Replaces the whole programme.")


@strawberry.type
class EventPayload:
    event: Event | None
    errors: list[UserError]


def _speakers(fields: dict[str, object]) -> dict[str, object]:
    speakers = fields.get("speakers")
    if isinstance(speakers, list):
        fields["speakers"] = [speaker.to_domain() for speaker in speakers]
    return fields


def _payload(row: models.Event | None, errors: list[UserError]) -> EventPayload:
    return EventPayload(event=Event.from_row(row) if row else None, errors=errors)


@strawberry.type
class EventMutation:
    @strawberry.mutation(description="Editors of the organiser (or its keys): add an event.")
    async def create_event(
        self, info: Info[Context, None], input: CreateEventInput
    ) -> EventPayload:
        fields = _speakers(all_fields(input, skip=("organiser_slug", "idempotency_key")))
        return _payload(
            *await attempt(
                resolvers.create_event(
                    info.context,
                    organiser_slug=input.organiser_slug,
                    fields=fields,
                    idempotency_key=input.idempotency_key,
                )
            )
        )

    @strawberry.mutation(description="Editors of the organiser (or its keys): change an event.")
    async def update_event(
        self, info: Info[Context, None], input: UpdateEventInput
    ) -> EventPayload:
        changes = _speakers(given_fields(input, skip=("slug", "version")))
        return _payload(
            *await attempt(
                resolvers.update_event(
                    info.context, slug=input.slug, version=input.version, changes=changes
                )
            )
        )
