"""``connection_init``'s ``resume``: a retried subscription, sent again with its original
``after``, continues after the cursor the client last received (real WebSocket)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import add_article, ensure_agency
from tests.live_client import LiveClient
from tests.realtime.factories import approve_article
from tests.realtime.test_protocol import close_code

Sessions = async_sessionmaker[AsyncSession]


async def test_resume_by_operation_name_or_id_replaces_an_older_after(
    address: str, sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="kpu-resume", type_code="kpu", region_code="64")
    batch = [
        await add_article(sessions, agency_slug="kpu-resume", regions=["64"]) for _ in range(5)
    ]
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"http://{address}/graphql", json={"query": "{ liveCursor }"})
    start = answer.json()["data"]["liveCursor"]
    for article in batch:
        await approve_article(sessions, article)
    url = f"ws://{address}/graphql"
    async with LiveClient.connect(url) as first:
        await first.subscribe_articles("op-1", after=start)
        seen = await first.events(5)
    cursors = [event["cursor"] for event in seen]

    # The stock retry: the same subscription, the same `after`, a new connection_init.
    async with LiveClient.connect(url, init=False) as by_name:
        await by_name.initialise({"resume": {"Articles": cursors[1]}})
        await by_name.subscribe_articles("op-1", after=start)
        assert [e["cursor"] for e in await by_name.events(3)] == cursors[2:]
        await by_name.quiet(0.5)
    async with LiveClient.connect(url, init=False) as by_id:
        await by_id.initialise({"resume": {"op-1": cursors[3], "Articles": cursors[0]}})
        await by_id.subscribe_articles("op-1", after=start)
        assert [e["cursor"] for e in await by_id.events(1)] == cursors[4:]
        await by_id.quiet(0.5)
    # An older resume cursor than `after` changes nothing: the later one wins.
    async with LiveClient.connect(url, init=False) as older:
        await older.initialise({"resume": {"Articles": cursors[0]}})
        await older.subscribe_articles("op-1", after=cursors[3])
        assert [e["cursor"] for e in await older.events(1)] == cursors[4:]


async def test_bad_resume_values_are_clear_errors(address: str) -> None:
    url = f"ws://{address}/graphql"
    async with LiveClient.connect(url, init=False) as client:
        await client.initialise({"resume": {"Articles": "not-a-cursor"}})
        await client.subscribe_articles("1")
        error = await client.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["message"] == (
        "The resume cursor is not a cursor issued by this service"
    )
    async with LiveClient.connect(url, init=False) as client:
        await client.initialise({"resume": {"Articles": None}})  # nothing yet: accepted
    async with LiveClient.connect(url, init=False) as client:
        await client.send({"type": "connection_init", "payload": {"resume": ["x"]}})
        assert await close_code(client) == (
            4400,
            "`resume` must map operation names or ids to cursors",
        )
