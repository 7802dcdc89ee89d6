"""The root ``Subscription`` type: live published articles, review queues, event updates.

Every payload carries a ``cursor``; passing the last one received as ``after`` resumes the
stream with nothing missed and nothing repeated. Over WebSocket the transport executes a
selection once per group of subscribers sharing it (see :mod:`hub.schema.live`); the
resolvers here only validate the request and return what the broker should serve.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from enum import Enum

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.realtime.changes import Change
from hub.realtime.cursor import encode
from hub.resolvers import subscription as resolvers
from hub.schema.article import Article
from hub.schema.event import Event
from hub.schema.live import LiveField
from hub.vocabulary import OutboxKind


@strawberry.enum(description="What happened to a published article.")
class ArticleChangeKind(Enum):
    APPROVED = "approved"
    CORRECTED = "corrected"
    RETRACTED = "retracted"
    IMPORTED = "imported"


KIND_OF_OUTBOX = {
    OutboxKind.ARTICLE_APPROVED.value: ArticleChangeKind.APPROVED,
    OutboxKind.ARTICLE_CORRECTED.value: ArticleChangeKind.CORRECTED,
    OutboxKind.ARTICLE_RETRACTED.value: ArticleChangeKind.RETRACTED,
    OutboxKind.ARTICLE_IMPORTED.value: ArticleChangeKind.IMPORTED,
}


@strawberry.enum(description="How an agency's review queue changed.")
class ReviewQueueChangeKind(Enum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


REVIEW_KIND_OF_OUTBOX = {
    OutboxKind.ARTICLE_SUBMITTED.value: ReviewQueueChangeKind.SUBMITTED,
    OutboxKind.ARTICLE_APPROVED.value: ReviewQueueChangeKind.APPROVED,
    OutboxKind.ARTICLE_REJECTED.value: ReviewQueueChangeKind.REJECTED,
}


@strawberry.input(description="Which published articles to follow; every given field must hold.")
class ArticleLiveFilter:
    region_code: str | None = strawberry.field(
        default=None, description="A region code; a province includes its regencies and cities."
    )
    agency_slug: str | None = strawberry.field(default=None, description="Source agency.")
    agency_type: str | None = strawberry.field(
        default=None, description="Type of the source agency, e.g. `kpu_provinsi`."
    )
    stage_code: str | None = strawberry.field(default=None, description="Election stage code.")
    tag_slug: str | None = strawberry.field(default=None, description="Tag.")
    event_slug: str | None = strawberry.field(default=None, description="Event reported on.")


@strawberry.type(
    description="A published article was approved, corrected, retracted, or imported by a "
    "caller who asked for it to be streamed."
)
class ArticlePublished:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this change.")
    kind: ArticleChangeKind = strawberry.field(description="What happened.")
    article_id: strawberry.Private[int]

    @strawberry.field(description="The article as it is now; null if no longer public.")
    async def article(self, info: Info[Context, None]) -> Article | None:
        row = await info.context.loaders.article_by_id.load(self.article_id)
        return Article.from_row(row) if row else None


@strawberry.type(
    description="An article entered an agency's review queue (SUBMITTED) or left it "
    "(APPROVED: published; REJECTED: sent back to its authors)."
)
class ReviewQueueChange:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this change.")
    kind: ReviewQueueChangeKind = strawberry.field(description="What happened.")
    article_slug: str = strawberry.field(
        description="The article's slug, to add it to or drop it from a list."
    )
    article_id: strawberry.Private[int]

    @strawberry.field(
        description="The article as it is now, as its reviewers see it; null if they no "
        "longer may (e.g. reopened as a draft since)."
    )
    async def article(self, info: Info[Context, None]) -> Article | None:
        row = await info.context.loaders.article_by_id.load(self.article_id)
        return Article.from_row(row) if row else None


@strawberry.type(description="An event changed (schedule, speakers, details).")
class EventUpdated:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this change.")
    event_id: strawberry.Private[int]

    @strawberry.field(description="The event as it is now.")
    async def event(self, info: Info[Context, None]) -> Event | None:
        row = await info.context.loaders.event_by_id.load(self.event_id)
        return Event.from_row(row) if row else None


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Articles as they are approved, corrected or retracted. Public. "
        "`after`: resume after this cursor (replays what was missed, then goes live)."
    )
    async def article_published(
        self,
        info: Info[Context, None],
        filter: ArticleLiveFilter | None = None,
        after: str | None = None,
    ) -> AsyncIterable[ArticlePublished]:
        given = filter or ArticleLiveFilter()
        return await resolvers.article_stream(
            info.context,
            region_code=given.region_code,
            agency_slug=given.agency_slug,
            agency_type=given.agency_type,
            stage_code=given.stage_code,
            tag_slug=given.tag_slug,
            event_slug=given.event_slug,
            after=after,
        )

    @strawberry.subscription(
        description="An agency's review queue: its submissions as they arrive, and as they "
        "are approved or rejected. Login required: the agency's editors and admins, and the "
        "provincial reviewer when the agency asks for provincial review. Re-checked at every "
        "delivery: when the login ends, the token expires or the role is removed, the stream "
        "ends with an UNAUTHENTICATED or FORBIDDEN error. `after`: resume after this cursor."
    )
    async def review_queue(
        self, info: Info[Context, None], agency_slug: str, after: str | None = None
    ) -> AsyncIterable[ReviewQueueChange]:
        return await resolvers.review_stream(info.context, agency_slug=agency_slug, after=after)

    @strawberry.subscription(description="Changes of one event, by slug, for a live event page.")
    async def event_updated(
        self, info: Info[Context, None], slug: str, after: str | None = None
    ) -> AsyncIterable[EventUpdated]:
        return await resolvers.event_stream(info.context, slug=slug, after=after)


@strawberry.type
class LiveQuery:
    @strawberry.field(
        description="The newest stream position: subscribe with `after: liveCursor` to "
        "receive every change from now on, even across reconnects."
    )
    async def live_cursor(self, info: Info[Context, None]) -> str:
        return await resolvers.live_cursor(info.context)


def article_published_root(change: Change) -> ArticlePublished:
    return ArticlePublished(
        cursor=encode(change.position),
        kind=KIND_OF_OUTBOX[change.kind],
        article_id=change.entity_id,
    )


def review_queue_root(change: Change) -> ReviewQueueChange:
    return ReviewQueueChange(
        cursor=encode(change.position),
        kind=REVIEW_KIND_OF_OUTBOX[change.kind],
        article_slug=str(change.payload.get("slug", "")),
        article_id=change.entity_id,
    )


def reviewers_of_its_agency(change: Change) -> frozenset[int]:
    return frozenset() if change.agency_id is None else frozenset({change.agency_id})


def event_updated_root(change: Change) -> EventUpdated:
    return EventUpdated(cursor=encode(change.position), event_id=change.entity_id)


LIVE_FIELDS: dict[str, LiveField] = {
    "articlePublished": LiveField(article_published_root),
    "reviewQueue": LiveField(review_queue_root, audience=reviewers_of_its_agency),
    "eventUpdated": LiveField(event_updated_root),
}
