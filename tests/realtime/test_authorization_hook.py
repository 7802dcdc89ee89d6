"""A subscription carrying an authorization check is re-checked at every delivery and
ended with the check's error when it fails (what login-only streams rely on)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.errors import Forbidden
from hub.realtime.filters import ArticleFilter
from hub.realtime.subscriber import Subscriber
from hub.settings import Settings
from tests.factories import Desk, add_article, ensure_agency
from tests.helpers import GraphQLClient


class RecordingSink:
    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.ended: list[list[dict[str, Any]]] = []

    def deliver(self, subscriber: Subscriber, payload: str) -> bool:
        self.payloads.append(payload)
        return True

    def end(self, subscriber: Subscriber, errors: list[dict[str, Any]]) -> None:
        self.ended.append(errors)

    def fall_behind(self) -> None:
        raise AssertionError("not expected")

    async def writable(self) -> None:
        return None


async def test_failed_recheck_ends_the_subscription(
    app: Starlette,
    sessions: async_sessionmaker[AsyncSession],
    gql: GraphQLClient,
    settings: Settings,
) -> None:
    broker = app.state.live.broker
    gateway = app.state.live.gateway
    query = {"query": "subscription { articlePublished { cursor } }"}
    prepared = await gateway.prepare(query, None)
    allowed = {"now": True}
    checks: list[bool] = []

    async def authorize() -> None:
        checks.append(allowed["now"])
        if not allowed["now"]:
            raise Forbidden("no longer a reviewer")

    sink = RecordingSink()
    subscriber = Subscriber(
        sink=sink,
        operation_id="q",
        filter=ArticleFilter(),
        selection=prepared.selection,
        authorize=authorize,
    )
    broker.join(subscriber, after=None)
    await ensure_agency(sessions, slug="editor-uji")
    desk = await Desk.open(gql, sessions, settings, agencies=["editor-uji"])
    first, second, third = [await add_article(sessions, agency_slug="editor-uji") for _ in range(3)]

    await desk.approve(first)
    await wait_until(lambda: len(sink.payloads) == 1)
    allowed["now"] = False  # e.g. the role was removed
    await desk.approve(second)
    await wait_until(lambda: len(sink.ended) == 1)
    assert sink.ended[0] == [
        {"message": "no longer a reviewer", "extensions": {"code": "FORBIDDEN"}}
    ]
    assert not subscriber.active
    await desk.approve(third)
    await asyncio.sleep(0.5)
    assert len(sink.payloads) == 1
    assert checks == [True, False]  # checked at each delivery, not after it ended


async def wait_until(condition: Any, seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")
