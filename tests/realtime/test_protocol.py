"""Protocol hygiene, keep-alive, slow consumers, shutdown, listener loss, shared rendering."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hub.db.session import asyncpg_arguments
from hub.realtime.direct import DirectWebSocketProtocol
from hub.realtime.listener import APPLICATION_NAME
from hub.settings import Settings
from tests.factories import OpenDesk, add_article, ensure_agency
from tests.live_client import ARTICLES, LiveClient
from tests.servers import serving

Sessions = async_sessionmaker[AsyncSession]


async def close_code(
    client: LiveClient, seen: list[dict[str, Any]] | None = None
) -> tuple[int, str]:
    """Read until the server closes; returns its close code and reason."""
    try:
        while True:
            message = json.loads(await asyncio.wait_for(client.websocket.recv(), 15))
            if seen is not None:
                seen.append(message)
    except ConnectionClosed as closed:
        frame = closed.rcvd
    if frame is None:
        raise AssertionError("closed without a close frame")
    return frame.code, frame.reason


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        (["not json"], 4400),
        ([{"type": "whatever"}], 4400),
        ([{"id": "1", "type": "subscribe", "payload": {"query": ARTICLES}}], 4401),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        ([{"type": "connection_init"}, {"type": "subscribe", "id": 5, "payload": {}}], 4400),
    ],
)
async def test_protocol_violations_close_with_their_codes(
    address: str, messages: list[Any], code: int
) -> None:
    async with LiveClient.connect(f"ws://{address}/graphql", init=False) as client:
        for message in messages:
            await client.websocket.send(
                message if isinstance(message, str) else json.dumps(message)
            )
        assert (await close_code(client))[0] == code


async def test_duplicate_operation_id_and_subscription_limit(
    live_settings: Settings, sessions: Sessions
) -> None:
    live_settings.live_max_subscriptions_per_connection = 2
    async with (
        serving(live_settings) as address,
        LiveClient.connect(f"ws://{address}/graphql") as client,
    ):
        await client.subscribe_articles("a")
        await client.subscribe_articles("b")
        await client.subscribe_articles("c")
        message = await client.receive()
        assert message["id"] == "c"
        assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        await client.send({"id": "a", "type": "complete"})
        await client.subscribe_articles("c")  # room again after completing one
        await client.quiet(0.3)
        await client.subscribe_articles("b")
        assert await close_code(client) == (4409, "Subscriber for b already exists")


async def test_connection_init_timeout_and_missing_subprotocol(live_settings: Settings) -> None:
    live_settings.live_connection_init_timeout = 0.3
    async with serving(live_settings) as address:
        async with LiveClient.connect(f"ws://{address}/graphql", init=False) as client:
            assert await close_code(client) == (4408, "Connection initialisation timeout")
        async with websockets.connect(f"ws://{address}/graphql") as plain:
            with pytest.raises(ConnectionClosed) as closed:
                await plain.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4406


async def test_origin_check(address: str) -> None:
    url = f"ws://{address}/graphql"
    with pytest.raises(InvalidStatus) as refused:
        async with LiveClient.connect(url, origin="http://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with LiveClient.connect(url, origin=f"http://{address}") as client:  # type: ignore[arg-type]
        await client.send({"type": "ping"})
        assert json.loads(await client.websocket.recv()) == {"type": "pong"}


async def test_keep_alive_pings_and_closes_silent_clients(live_settings: Settings) -> None:
    live_settings.live_keepalive_interval = 0.3
    async with (
        serving(live_settings) as address,
        LiveClient.connect(f"ws://{address}/graphql") as client,
    ):
        for _ in range(3):  # answered pings keep the connection open
            assert json.loads(await asyncio.wait_for(client.websocket.recv(), 5)) == {
                "type": "ping"
            }
            await client.send({"type": "pong"})
        code, reason = await close_code(client)  # now stop answering
        assert code == 1011
        assert "no pong" in reason


@pytest.mark.parametrize(
    "ws",
    [DirectWebSocketProtocol, "websockets-sansio"],
    ids=["frames written directly", "plain ASGI messages"],
)
async def test_slow_consumer_is_closed_retryably_and_resumes_without_loss(
    live_settings: Settings, sessions: Sessions, open_desk: OpenDesk, ws: Any
) -> None:
    live_settings.live_queue_size = 4
    await ensure_agency(sessions, slug="media-uji", type_code="media_massa")
    body = "<p>" + "Panjang sekali. " * 40000 + "</p>"  # ~640 KB per payload
    articles = [await add_article(sessions, agency_slug="media-uji", body=body) for _ in range(40)]
    query = "subscription { articlePublished { cursor article { slug body } } }"
    async with serving(live_settings, ws=ws) as address:
        desk = await open_desk(f"http://{address}", "media-uji")
        url = f"ws://{address}/graphql"
        async with LiveClient.connect(url, max_queue=1, max_size=None) as client:
            await client.subscribe("now", "{ liveCursor }")
            start = (await client.receive())["payload"]["data"]["liveCursor"]
            await client.receive()  # complete
            await client.subscribe(
                "slow",
                query.replace("articlePublished {", f'articlePublished(after: "{start}") {{'),
            )
            await client.quiet(0.2)
            for article in articles:
                await desk.approve(article)
            await asyncio.sleep(3)  # not reading: buffers fill, the queue overflows
            seen: list[dict[str, Any]] = []
            code, reason = await close_code(client, seen)
            assert code == 1013
            assert "resume" in reason
            received = [m["payload"]["data"]["articlePublished"]["cursor"] for m in seen]
        assert 0 < len(received) < len(articles)
        async with LiveClient.connect(url, max_size=None) as client:
            resume = query.replace(
                "articlePublished {", f'articlePublished(after: "{received[-1]}") {{'
            )
            await client.subscribe("again", resume)
            rest = await client.events(len(articles) - len(received), within=30)
            await client.quiet(0.3)
    slugs = [event["article"]["slug"] for event in rest]
    assert len(set(slugs)) == len(slugs)
    assert len(received) + len(rest) == len(articles)


async def test_graceful_shutdown_closes_with_1012(live_settings: Settings) -> None:
    async with serving(live_settings) as address:
        client_context = LiveClient.connect(f"ws://{address}/graphql")
        client = await client_context.__aenter__()
        await client.subscribe_articles("a")
        await client.quiet(0.2)
    try:
        code, _ = await close_code(client)
        assert code == 1012
    finally:
        await client_context.__aexit__(None, None, None)


async def test_listener_loss_is_caught_up_after_reconnect(
    live_settings: Settings, sessions: Sessions, database_url: str, open_desk: OpenDesk
) -> None:
    live_settings.live_catch_up_interval = 120  # only the reconnect can trigger the read
    await ensure_agency(sessions, slug="humas-polda-uji", type_code="humas_polda")
    articles = [await add_article(sessions, agency_slug="humas-polda-uji") for _ in range(2)]
    admin = await asyncpg.connect(**asyncpg_arguments(database_url))
    try:
        async with (
            serving(live_settings) as address,
            LiveClient.connect(f"ws://{address}/graphql") as client,
        ):
            desk = await open_desk(f"http://{address}", "humas-polda-uji")
            await client.subscribe_articles("a")
            await client.quiet(0.2)
            await desk.approve(articles[0])
            await client.events(1, within=5)  # woken by the notification
            database = make_url(database_url).database
            terminated = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = $2",
                APPLICATION_NAME,
                database,
            )
            assert terminated == 1
            await desk.approve(articles[1])  # nobody listens right now
            (event,) = await client.events(1, within=15)
            assert event["kind"] == "APPROVED"
            async with httpx.AsyncClient() as http:
                stats = (await http.get(f"http://{address}/health/realtime")).json()
            assert stats["listenerReconnects"] >= 1
    finally:
        await admin.close()


async def test_one_rendering_per_selection_whatever_the_number_of_subscribers(
    address: str, sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="kpu-uji-render", type_code="kpu")
    desk = await open_desk(f"http://{address}", "kpu-uji-render")
    articles = [
        await add_article(sessions, agency_slug="kpu-uji-render", regions=["64"]) for _ in range(2)
    ]
    filters: list[dict[str, str]] = [
        {"regionCode": "64"},
        {"agencyType": "kpu"},
        {},
        {"agencySlug": "kpu-uji-render", "regionCode": "64"},
    ]

    async def statements_for_one_approval(article: int, subscribers: int) -> int:
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            clients = [LiveClient.connect(f"ws://{address}/graphql") for _ in range(subscribers)]
            opened = [await context.__aenter__() for context in clients]
            try:
                for number, client in enumerate(opened):
                    # Different filters, same selection: one rendering serves them all.
                    await client.subscribe_articles("s", **filters[number % len(filters)])
                before = (await http.get("/health/realtime")).json()
                while before["subscribers"] != subscribers:  # every subscription prepared
                    await asyncio.sleep(0.1)
                    before = (await http.get("/health/realtime")).json()
                await desk.approve(article)
                for client in opened:
                    await client.events(1)
                after = (await http.get("/health/realtime")).json()
            finally:
                for context in clients:
                    await context.__aexit__(None, None, None)
        assert after["renders"] - before["renders"] == 1
        assert after["deliveries"] - before["deliveries"] == subscribers
        # The live service's statements besides its outbox reads (how many reads it takes
        # depends on when the row passes the horizon): rendering the payload.
        return int(
            (after["liveSqlStatements"] - before["liveSqlStatements"])
            - (after["outboxReads"] - before["outboxReads"])
        )

    few = await statements_for_one_approval(articles[0], 2)
    many = await statements_for_one_approval(articles[1], 30)
    assert 0 < few == many
