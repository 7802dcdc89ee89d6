"""Several real `hub serve` processes against one database, real WebSocket clients;
editors approve through the API of another process than the subscribers'."""

from __future__ import annotations

import asyncio
import random
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres
from hub.db.provision import seed
from tests.factories import Desk, OpenDesk, add_article, ensure_agency, settings_for
from tests.live_client import LiveClient
from tests.postgres import new_shared_folder
from tests.realtime.factories import approve_in
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def servers(database_url: str) -> Iterator[list[ServerProcess]]:
    env = clean_env(
        HUB_DATABASE_URL=database_url, HUB_AUTO_MIGRATE="false", HUB_LIVE_CATCH_UP_INTERVAL="1"
    )
    started = [ServerProcess(env), ServerProcess(env)]
    for server in started:
        server.wait_ready()
    yield started
    for server in started:
        if server.process.poll() is None:
            server.kill()


async def test_each_process_delivers_and_a_killed_one_is_resumed_on_another(
    servers: list[ServerProcess], sessions: Sessions, open_desk: OpenDesk
) -> None:
    a, b = servers
    await ensure_agency(sessions, slug="kpu-kaltim-proses", type_code="kpu")
    desk = await open_desk(b.url, "kpu-kaltim-proses")  # logs in on B, approves on B
    articles = [
        await add_article(
            sessions, agency_slug="kpu-kaltim-proses", regions=["64.71"], stages=["kampanye"]
        )
        for _ in range(6)
    ]
    async with (
        LiveClient.connect(a.ws_url) as on_a,
        LiveClient.connect(b.ws_url) as on_b,
    ):
        await on_a.subscribe_articles("p", regionCode="64", stageCode="kampanye")
        await on_b.subscribe_articles("p", regionCode="64.71")
        await on_b.quiet(0.3)
        for article in articles[:3]:
            await desk.approve(article)  # approved on B; both processes deliver
        before_kill = await on_a.events(3)
        assert [e["cursor"] for e in await on_b.events(3)] == [e["cursor"] for e in before_kill]

        a.kill()  # mid-stream, no goodbye
        for article in articles[3:]:
            await desk.approve(article)
        after_kill = await on_b.events(3)

    async with LiveClient.connect(b.ws_url) as resumed:
        await resumed.subscribe_articles(
            "p", after=before_kill[-1]["cursor"], regionCode="64", stageCode="kampanye"
        )
        missed = await resumed.events(3)
        await resumed.quiet(0.5)
    assert [e["cursor"] for e in missed] == [e["cursor"] for e in after_kill]
    all_cursors = [e["cursor"] for e in (*before_kill, *missed)]
    assert len(set(all_cursors)) == 6


async def test_concurrent_approvals_arrive_in_one_order_without_gap_or_duplicate(
    servers: list[ServerProcess], sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="humas-proses", type_code="humas_polda")
    desks = [
        await open_desk(server.url, "humas-proses") for server in servers for _ in range(3)
    ]  # separate connections to both processes
    rounds, per_round = 5, 12
    articles = [
        await add_article(sessions, agency_slug="humas-proses", regions=["64"])
        for _ in range(rounds * per_round)
    ]
    randomness = random.Random(5)

    async def approve(number: int, article: int) -> None:
        if number % 2:  # through the API of either process
            await desks[number % len(desks)].approve(article)
            return
        async with sessions() as session, session.begin():  # holding the transaction open
            await asyncio.sleep(randomness.random() * 0.05)
            await approve_in(session, article)
            await asyncio.sleep(randomness.random() * 0.2)  # commit order differs from id order

    async with (
        LiveClient.connect(servers[0].ws_url) as on_a,
        LiveClient.connect(servers[1].ws_url) as on_b,
    ):
        await on_a.subscribe_articles("all")
        await on_b.subscribe_articles("all")
        await on_b.quiet(0.3)
        for number in range(rounds):
            batch = articles[number * per_round : (number + 1) * per_round]
            await asyncio.gather(*(approve(n, article) for n, article in enumerate(batch)))
        seen_a = await on_a.events(rounds * per_round, within=60)
        seen_b = await on_b.events(rounds * per_round, within=60)
        await on_a.quiet(0.5)
    async with sessions() as session:
        slugs = set((await session.scalars(text("SELECT slug FROM articles"))).all())
    received = [e["article"]["slug"] for e in seen_a]
    assert sorted(received) == sorted(slugs)  # every one, once
    assert [e["cursor"] for e in seen_a] == [e["cursor"] for e in seen_b]  # the same order


@pytest.fixture
def private_database() -> Iterator[tuple[EmbeddedPostgres, str]]:
    """A database server of this test's own, so it can be restarted."""
    folder: Path = new_shared_folder("hub-restart-")
    server = EmbeddedPostgres(folder)
    url = server.start()
    migrations.upgrade(url)
    asyncio.run(seed(url, demo=False))
    yield server, url
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


async def test_database_restart_while_subscribed_is_caught_up(
    private_database: tuple[EmbeddedPostgres, str], tmp_path: Path
) -> None:
    database, url = private_database
    engine = create_async_engine(url, pool_pre_ping=True)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    env = clean_env(HUB_DATABASE_URL=url, HUB_AUTO_MIGRATE="false", HUB_LIVE_CATCH_UP_INTERVAL="30")
    server = ServerProcess(env)
    try:
        await server.ready()
        await ensure_agency(sessions, slug="kpu-restart", type_code="kpu")
        articles = [await add_article(sessions, agency_slug="kpu-restart") for _ in range(2)]
        async with (
            Desk.at(
                server.url, sessions, settings_for(url, tmp_path), agencies=["kpu-restart"]
            ) as desk,
            LiveClient.connect(server.ws_url) as client,
        ):
            await client.subscribe_articles("r")
            await client.quiet(0.3)
            await desk.approve(articles[0])
            (first,) = await client.events(1)
            await asyncio.to_thread(database.stop)
            await asyncio.to_thread(database.start)
            await desk.approve(articles[1])  # likely before the listener is back
            (second,) = await client.events(1, within=30)
            assert second["cursor"] != first["cursor"]
            assert second["kind"] == "APPROVED"
    finally:
        server.stop(signal.SIGTERM)
        await engine.dispose()
