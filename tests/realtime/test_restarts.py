"""Restarts without a reconnect storm: a real `hub serve` process stopped with SIGTERM while
real WebSocket clients follow it, changes approved while it is away, the clients back at
once. Their close frame names when to come back; their resumes come from the broker's
recent history (a few statements for everybody, not some per subscriber); nothing is lost,
repeated or out of order; the health port answers. Handshakes beyond the admission limit
wait their turn, or are told when to retry."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.settings import Settings
from tests.factories import add_article, ensure_agency
from tests.helpers import free_port
from tests.live_client import LiveClient
from tests.realtime.factories import approve_article
from tests.servers import ServerProcess, clean_env, serving

pytestmark = pytest.mark.slow

Sessions = async_sessionmaker[AsyncSession]
RESTART = re.compile(r"server restart: reconnect in (\d+\.\d) s and resume from your last cursor")
FILTERS: list[dict[str, str]] = [{"regionCode": "64"}, {"agencySlug": "humas-badai"}, {}]
CLIENTS = 12
SPREAD = 3.0


async def close_of(client: LiveClient) -> tuple[int | None, str | None]:
    with contextlib.suppress(websockets.ConnectionClosed, TimeoutError):
        while True:
            await client.receive(30)
    return client.websocket.close_code, client.websocket.close_reason


async def figures(port: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.get(f"http://127.0.0.1:{port}/health/realtime")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def all_subscribed(port: int) -> None:
    """Once the server holds every subscription (none misses the first approvals)."""
    for _ in range(600):
        if (await figures(port))["subscribers"] >= CLIENTS:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the subscriptions did not all arrive")


async def test_a_restart_is_resumed_from_memory_spread_out_and_nothing_is_lost(
    database_url: str, sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="humas-badai")
    articles = [
        await add_article(sessions, agency_slug="humas-badai", regions=["64.71"]) for _ in range(6)
    ]
    async with sessions() as session:
        slugs = dict((await session.execute(text("SELECT id, slug FROM articles"))).all())
    health_port = free_port()
    env = clean_env(
        HUB_DATABASE_URL=database_url,
        HUB_AUTO_MIGRATE="false",
        HUB_SHUTDOWN_SPREAD=str(SPREAD),
        HUB_HEALTH_PORT=str(health_port),
    )
    server = ServerProcess(env)
    try:
        await server.ready()
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(LiveClient.connect(server.ws_url))
                for _ in range(CLIENTS)
            ]
            for number, client in enumerate(clients):
                await client.subscribe_articles("badai", **FILTERS[number % len(FILTERS)])
            await all_subscribed(health_port)
            for article in articles[:2]:
                await approve_article(sessions, article)
            seen = [await client.events(2) for client in clients]
            server.process.send_signal(signal.SIGTERM)
            closes = await asyncio.gather(*(close_of(client) for client in clients))
        assert server.process.wait(timeout=60) == 0
        delays = []
        for code, reason in closes:
            assert code == 1012, (code, reason)
            found = RESTART.fullmatch(reason or "")
            assert found, reason
            delays.append(float(found[1]))
        assert all(0 <= delay <= SPREAD for delay in delays), delays
        assert len(set(delays)) > 1, delays  # spread, not all told the same

        for article in articles[2:5]:  # approved while the process is away
            await approve_article(sessions, article)
        server = ServerProcess(env, port=server.port)
        await server.ready()
        before = await figures(health_port)

        async def resume(number: int) -> tuple[LiveClient, list[dict[str, Any]]]:
            client = await stack.enter_async_context(LiveClient.connect(server.ws_url))
            after = seen[number][-1]["cursor"]
            await client.subscribe_articles("badai", after=after, **FILTERS[number % len(FILTERS)])
            return client, await client.events(3)

        async with contextlib.AsyncExitStack() as stack:
            resumed = await asyncio.gather(*(resume(n) for n in range(CLIENTS)))
            during = await figures(health_port)
            await approve_article(sessions, articles[5])
            for client, missed in resumed:
                assert [e["article"]["slug"] for e in missed] == [slugs[a] for a in articles[2:5]]
                (live,) = await client.events(1)
                assert live["article"]["slug"] == slugs[articles[5]]
                await client.quiet(0.2)
                cursors = [e["cursor"] for e in (*missed, live)]
                assert cursors == sorted(set(cursors), key=cursors.index)  # no repeat
    finally:
        if server.process.poll() is None:
            server.kill()

    assert during["subscribers"] == CLIENTS
    assert during["outboxReplays"] == 0
    # Joiners with the same (cursor, selection, filter) while a group is being served share
    # it; later ones take the payloads rendered for it at once.
    assert 1 <= during["catchUpGroups"] < CLIENTS
    statements = (during["sqlStatements"] - before["sqlStatements"]) - (
        during["outboxReads"] - before["outboxReads"]
    )
    # Rendering the gap once and looking up two filter values: a handful for everybody
    # (reading the gap per subscriber alone would be 12).
    assert statements <= 6, statements


async def test_the_health_port_answers_apart_from_the_main_one(
    live_settings: Settings,
) -> None:
    port = free_port()
    async with (
        serving(live_settings.model_copy(update={"health_port": port})),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http,
    ):
        live = await http.get("/health/live")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        ready = await http.get("/health/ready")
        assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "up"})
        realtime = await http.get("/health/realtime")
        assert realtime.status_code == 200
        assert realtime.json()["listening"] is True
        assert (await http.get("/graphql")).status_code == 404


async def test_handshakes_beyond_the_limit_wait_in_turn_or_are_told_to_retry(
    live_settings: Settings,
) -> None:
    settings = live_settings.model_copy(
        update={"live_handshakes": 1, "live_handshake_wait": 3.0, "shutdown_spread": 2.0}
    )
    async with serving(settings) as address, contextlib.AsyncExitStack() as stack:
        url = f"ws://{address}/graphql"
        first = await stack.enter_async_context(LiveClient.connect(url, init=False))
        # The only turn is taken (no subscription yet): the next one waits...
        waiting = asyncio.create_task(stack.enter_async_context(LiveClient.connect(url)))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        # ...and comes in once the first subscribed.
        await first.initialise()
        await first.subscribe_articles("1")
        second = await waiting
        await second.subscribe_articles("1")
        # A turn held longer than the wait: the newcomer is told when to retry.
        holder = await stack.enter_async_context(LiveClient.connect(url, init=False))
        refused = await stack.enter_async_context(LiveClient.connect(url, init=False))
        code, reason = await close_of(refused)
        assert code == 1013
        found = re.fullmatch(
            r"server busy: reconnect in (\d+\.\d) s and resume from your last cursor", reason or ""
        )
        assert found, reason
        assert 1.0 <= float(found[1]) <= 3.0
        await holder.initialise()


async def test_shutting_down_in_process_closes_with_the_reason_after_queued_frames(
    live_settings: Settings, sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="humas-badai")
    article = await add_article(sessions, agency_slug="humas-badai", regions=["64.71"])
    running = serving(live_settings.model_copy(update={"shutdown_spread": 0.0}))
    address = await running.__aenter__()
    try:
        async with LiveClient.connect(f"ws://{address}/graphql") as client:
            await client.subscribe_articles("1")
            await client.quiet(0.2)
            await approve_article(sessions, article)
            (event,) = await client.events(1)
            assert event["kind"] == "APPROVED"
            closing = asyncio.create_task(close_of(client))
            await running.__aexit__(None, None, None)  # the server shuts down
            code, reason = await closing
    finally:
        await running.__aexit__(None, None, None)
    assert code == 1012
    assert reason == "server restart: reconnect in 0.0 s and resume from your last cursor"
