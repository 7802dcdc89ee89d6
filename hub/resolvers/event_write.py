"""Event writes: create and update events with their speakers; each change goes to the outbox.

Events are published as soon as they are written (no workflow), so they take the
``MANAGE_EVENTS`` capability on the organising agency: its editors, or its API keys with the
``events:write`` scope. The speaker list is replaced as a whole when given.

An event has a start time (``startsAt``, optionally ``endsAt``) or, all day, a first day
(``startsOn``, optionally a last day ``endsOn``): most reports give only the date. Giving one
kind of start switches the event to it; an end of the other kind is then dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import allows
from hub.db.models import Event, EventSpeaker, Person, Region
from hub.db.repositories import lookup
from hub.db.repositories.outbox import record_event_change
from hub.errors import ErrorCode, NotFound
from hub.resolvers import idempotency
from hub.resolvers.article_write import find_agency
from hub.resolvers.guard import check_version, require, require_principal
from hub.resolvers.slugs import insert_with_slug
from hub.resolvers.validation import Checker, slugify
from hub.vocabulary import SpeakerRole, day_start
from hub.workflow import Capability

if TYPE_CHECKING:
    from hub.context import Context

MAX_TITLE = 300
MAX_TEXT = 5_000
MAX_THEME = 500
MAX_VENUE = 300
MAX_SLUG = 160
MAX_TOPIC = 500


@dataclass(frozen=True)
class Speaker:
    person_slug: str
    role: SpeakerRole
    topic: str | None = None


async def find_event(session: AsyncSession, slug: str) -> Event:
    statement = (
        select(Event)
        .where(Event.slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    event = (await session.scalars(statement)).one_or_none()
    if event is None:
        raise NotFound(f"no event `{slug}`", field="slug")
    return event


async def create_event(
    ctx: Context, *, organiser_slug: str, fields: Mapping[str, Any], idempotency_key: str | None
) -> Event:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        organiser = await find_agency(session, organiser_slug, field="organiserSlug")
        require(
            allows(viewer, Capability.MANAGE_EVENTS, organiser.id),
            f"you may not manage events of {organiser.slug}",
        )
        claim, earlier = await idempotency.claim_or_replay(
            session,
            viewer=viewer,
            operation="createEvent",
            key=idempotency_key,
            request={"organiser": organiser_slug, **fields},
            model=Event,
        )
        if earlier is not None:
            return earlier
        columns, speakers = await clean_event(session, fields, current=None)
        slug = columns.pop("slug", None)
        event = Event(slug=slug, organiser_id=organiser.id, version=1, **columns)
        base = None if slug else slugify(columns["title"], fallback="event")
        await insert_with_slug(session, event, Event.slug, base=base, noun="an event")
        await _store_speakers(session, event.id, speakers)
        await record_event_change(session, event=event)
        await idempotency.complete(session, claim, event.id)
        return event


async def update_event(
    ctx: Context, *, slug: str, version: int, changes: Mapping[str, Any]
) -> Event:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        event = await find_event(session, slug)
        require(
            event.organiser_id is not None
            and allows(viewer, Capability.MANAGE_EVENTS, event.organiser_id),
            "you may not manage this event",
        )
        check_version(event.version, version, "event")
        columns, speakers = await clean_event(session, changes, current=event)
        for name, value in columns.items():
            setattr(event, name, value)
        await _store_speakers(session, event.id, speakers)
        event.version += 1
        await session.flush()
        await record_event_change(session, event=event)
        return event


async def clean_event(
    session: AsyncSession, fields: Mapping[str, Any], *, current: Event | None
) -> tuple[dict[str, Any], list[Speaker] | None]:
    check = Checker()
    columns: dict[str, Any] = {}
    creating = current is None
    if creating and fields.get("slug") is not None:
        columns["slug"] = check.slug("slug", fields["slug"], max_length=MAX_SLUG)
        existing = (
            await lookup.by_key(session, Event, Event.slug, columns["slug"])
            if columns["slug"]
            else None
        )
        if existing is not None:
            check.add("slug", f"an event `{columns['slug']}` already exists", ErrorCode.DUPLICATE)
    if creating or "title" in fields:
        columns["title"] = check.text(
            "title", fields.get("title"), min_length=3, max_length=MAX_TITLE, required=True
        )
    for name, limit in (("description", MAX_TEXT), ("theme", MAX_THEME), ("venue", MAX_VENUE)):
        if name in fields:
            columns[name] = check.text(name, fields[name], max_length=limit)
    if fields.get("region_code") is not None:
        code = fields["region_code"]
        found = await lookup.values_by_key(session, Region.code, Region.code, [code])
        check.known("regionCode", [code], found, "region code")
        columns["region_code"] = code
    elif "region_code" in fields:
        columns["region_code"] = None
    columns.update(_schedule(check, fields, current))
    speakers = fields.get("speakers")
    if speakers is not None:
        await _check_speakers(session, check, speakers)
    check.done()
    return columns, speakers


def _schedule(check: Checker, fields: Mapping[str, Any], current: Event | None) -> dict[str, Any]:
    """The time columns: a timed event's moments, or an all-day event's days at midnight."""
    timed = fields.get("starts_at") is not None
    daily = fields.get("starts_on") is not None
    if timed and daily:
        check.add("startsOn", "give `startsAt` or `startsOn`, not both", ErrorCode.INVALID_INPUT)
        return {}
    if current is None and not (timed or daily):
        check.add(
            "startsAt",
            "`startsAt` (or `startsOn` for an all-day event) is required",
            ErrorCode.REQUIRED,
        )
        return {}
    all_day = daily or (not timed and current is not None and current.all_day)
    switched = current is not None and current.all_day != all_day
    start_field, end_field, wrong_end = (
        ("startsOn", "endsOn", "ends_at") if all_day else ("startsAt", "endsAt", "ends_on")
    )
    if fields.get(wrong_end) is not None:
        check.add(
            "endsAt" if all_day else "endsOn",
            f"an {'all-day' if all_day else 'timed'} event ends with `{end_field}`",
            ErrorCode.INVALID_INPUT,
        )
        return {}
    columns: dict[str, Any] = {"all_day": all_day}
    if daily:
        columns["starts_at"] = day_start(fields["starts_on"])
    elif timed:
        columns["starts_at"] = fields["starts_at"]
    end_key = "ends_on" if all_day else "ends_at"
    if end_key in fields:
        end: date | datetime | None = fields[end_key]
        columns["ends_at"] = day_start(end) if all_day and end is not None else end
    elif switched:
        columns["ends_at"] = None  # the old end was of the other kind
    starts_at: datetime | None = columns.get("starts_at", current.starts_at if current else None)
    ends_at: datetime | None = columns.get("ends_at", current.ends_at if current else None)
    check.in_order(end_field if end_key in fields else start_field, starts_at, ends_at, start_field)
    return columns


async def _check_speakers(session: AsyncSession, check: Checker, speakers: list[Speaker]) -> None:
    people = await lookup.values_by_key(
        session, Person.slug, Person.id, [speaker.person_slug for speaker in speakers]
    )
    seen: set[tuple[str, SpeakerRole]] = set()
    for index, speaker in enumerate(speakers):
        path = f"speakers.{index}"
        check.text(f"{path}.topic", speaker.topic, max_length=MAX_TOPIC)
        if speaker.person_slug not in people:
            check.add(
                f"{path}.personSlug",
                f"unknown person: `{speaker.person_slug}`",
                ErrorCode.UNKNOWN_REFERENCE,
            )
        elif (speaker.person_slug, speaker.role) in seen:
            check.add(
                f"{path}.personSlug",
                f"`{speaker.person_slug}` is listed twice as {speaker.role.value}",
                ErrorCode.DUPLICATE,
            )
        seen.add((speaker.person_slug, speaker.role))


async def _store_speakers(
    session: AsyncSession, event_id: int, speakers: list[Speaker] | None
) -> None:
    if speakers is None:
        return
    people = await lookup.values_by_key(
        session, Person.slug, Person.id, [speaker.person_slug for speaker in speakers]
    )
    await session.execute(delete(EventSpeaker).where(EventSpeaker.event_id == event_id))
    session.add_all(
        EventSpeaker(
            event_id=event_id,
            person_id=people[speaker.person_slug],
            role=speaker.role.value,
            position=index,
            topic=speaker.topic.strip() if speaker.topic and speaker.topic.strip() else None,
        )
        for index, speaker in enumerate(speakers)
    )
    await session.flush()
