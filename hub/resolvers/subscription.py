"""Live subscriptions: validate what a client asks for, then hand the broker a request.

Filters name regions, agencies, types, stages, tags and events by code or slug; each is
looked up (one statement) and an unknown one is an ``INVALID_INPUT`` error naming the
argument. An ``after`` cursor must be one this server issued and not older than the
retention window (``CURSOR_EXPIRED``: reload, then subscribe without ``after``).

The review queue of an agency is for the viewers who may review its submissions
(``hub.auth.allows(viewer, Capability.REVIEW, agency)``: its editors and admins, and the
provincial reviewer when the agency asks for provincial review). Its stream carries a
check that runs before every delivery: the connection's credential is authenticated again
(an expired token, an ended login session or a revoked API key fail with
``UNAUTHENTICATED``) and the entitlement is decided again on the current roles
(``FORBIDDEN`` once it is gone).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer, allows
from hub.db.repositories import filter_values, outbox
from hub.db.session import SessionFactory
from hub.errors import CursorExpired, InvalidInput
from hub.realtime import cursor
from hub.realtime.filters import ArticleFilter, EventFilter, ReviewFilter
from hub.realtime.gateway import StreamRequest
from hub.resolvers.auth import authenticate
from hub.resolvers.guard import require, require_principal
from hub.settings import Settings
from hub.workflow import Capability

if TYPE_CHECKING:
    from hub.context import Context


async def article_stream(
    ctx: Context,
    *,
    region_code: str | None = None,
    agency_slug: str | None = None,
    agency_type: str | None = None,
    stage_code: str | None = None,
    tag_slug: str | None = None,
    event_slug: str | None = None,
    after: str | None = None,
) -> StreamRequest:
    async with ctx.sessions() as session:
        found = await filter_values.look_up(
            session,
            region_code=region_code,
            agency_slug=agency_slug,
            agency_type=agency_type,
            stage_code=stage_code,
            tag_slug=tag_slug,
            event_slug=event_slug,
        )
        for asked, known, field, what in (
            (region_code, found.region_exists, "regionCode", "region code"),
            (agency_slug, found.agency_id is not None, "agencySlug", "agency"),
            (agency_type, found.agency_type_exists, "agencyType", "agency type"),
            (stage_code, found.stage_exists, "stageCode", "election stage"),
            (tag_slug, found.tag_exists, "tagSlug", "tag"),
            (event_slug, found.event_id is not None, "eventSlug", "event"),
        ):
            if asked is not None and not known:
                raise InvalidInput(f"Unknown {what} `{asked}`", field=f"filter.{field}")
        position = await resume_position(ctx, session, after)
    return StreamRequest(
        filter=ArticleFilter(
            region_code=region_code,
            agency_id=found.agency_id,
            agency_type=agency_type,
            stage_code=stage_code,
            tag_slug=tag_slug,
            event_id=found.event_id,
        ),
        after=position,
    )


async def event_stream(ctx: Context, *, slug: str, after: str | None = None) -> StreamRequest:
    async with ctx.sessions() as session:
        found = await filter_values.look_up(session, event_slug=slug)
        if found.event_id is None:
            raise InvalidInput(f"Unknown event `{slug}`", field="slug")
        position = await resume_position(ctx, session, after)
    return StreamRequest(filter=EventFilter(event_id=found.event_id), after=position)


async def review_stream(
    ctx: Context, *, agency_slug: str, after: str | None = None
) -> StreamRequest:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session:
        found = await filter_values.look_up(session, agency_slug=agency_slug)
        if found.agency_id is None:
            raise InvalidInput(f"Unknown agency `{agency_slug}`", field="agencySlug")
        check_reviewer(viewer, found.agency_id, agency_slug)
        position = await resume_position(ctx, session, after)
    return StreamRequest(
        filter=ReviewFilter(agency_id=found.agency_id),
        after=position,
        authorize=partial(
            recheck_reviewer,
            ctx.sessions,
            ctx.settings,
            ctx.authorization,
            found.agency_id,
            agency_slug,
        ),
    )


def check_reviewer(viewer: Viewer, agency_id: int, agency_slug: str) -> None:
    require(
        allows(viewer, Capability.REVIEW, agency_id),
        f"only those who review `{agency_slug}`'s submissions may follow its review queue",
    )


async def recheck_reviewer(
    sessions: SessionFactory,
    settings: Settings,
    authorization: str | None,
    agency_id: int,
    agency_slug: str,
) -> None:
    """Before each delivery of the review queue: still logged in, still a reviewer."""
    viewer = await authenticate(sessions, settings, authorization)
    check_reviewer(viewer, agency_id, agency_slug)


async def live_cursor(ctx: Context) -> str:
    async with ctx.sessions() as session:
        return cursor.encode(await outbox.head_position(session))


async def resume_position(
    ctx: Context, session: AsyncSession, after: str | None
) -> cursor.Position | None:
    """Where the stream starts: after ``after``, or after the transport's resume cursor
    (``ctx.resume_after``) when that is later — a client retrying its original request,
    whose ``after`` may meanwhile be older than the retention window."""
    resumed = None
    if ctx.resume_after is not None:
        resumed = await checked_position(ctx, session, ctx.resume_after, "The resume cursor")
    if after is None:
        return resumed
    position = decoded(after, "`after`")
    if resumed is not None and position <= resumed:
        return resumed
    return await checked_position(ctx, session, after, "`after`")


def decoded(given: str, what: str) -> cursor.Position:
    try:
        return cursor.decode(given)
    except cursor.InvalidCursor:
        raise InvalidInput(
            f"{what} is not a cursor issued by this service", field="after"
        ) from None


async def checked_position(
    ctx: Context, session: AsyncSession, given: str, what: str
) -> cursor.Position:
    """``given`` decoded, if this server issued it and it is within the retention window."""
    position = decoded(given, what)
    retention = ctx.settings.live_retention
    exists, expired = await outbox.position_state(
        session,
        position=position,
        retention_seconds=retention.total_seconds(),
    )
    if expired or (not exists and position != cursor.ORIGIN):
        raise CursorExpired(
            f"{what} is older than the {describe(retention.total_seconds())} retention "
            "window: reload the current state, then subscribe without `after`",
            field="after",
        )
    return position


def describe(seconds: float) -> str:
    if seconds % 86400 == 0:
        days = int(seconds // 86400)
        return f"{days}-day"
    return f"{seconds:g}-second"
