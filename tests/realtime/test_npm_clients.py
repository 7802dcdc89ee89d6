"""The stock npm clients (graphql-ws, graphql-sse; pinned in tests/js) follow a subscription
across a real server restart, resuming as the README recommends: every approval arrives
once, in order — none lost while the server was down, none repeated."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article
from tests.factories import add_article, ensure_agency
from tests.helpers import free_port
from tests.realtime.factories import approve_article
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

Sessions = async_sessionmaker[AsyncSession]
CLIENTS = Path(__file__).parent.parent / "js"
NODE = shutil.which("node")


def require_npm_clients() -> str:
    if NODE is None:
        pytest.skip("Node.js is not installed")
    if not (CLIENTS / "node_modules" / "graphql-ws").is_dir():
        pytest.skip("the npm clients are not installed: run `npm ci` in tests/js")
    return NODE


class Follower:
    """``follow.mjs`` in a Node process: its JSON lines as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self, within: float = 60) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not raw:
            assert self.process.stderr is not None
            raise AssertionError(f"node exited: {(await self.process.stderr.read()).decode()}")
        found: dict[str, Any] = json.loads(raw)
        return found

    async def connected(self, times: int) -> None:
        assert await self.line() == {"connected": times}

    async def changes(self, count: int) -> list[dict[str, Any]]:
        seen = []
        while len(seen) < count:
            line = await self.line()
            assert "errors" not in line, line
            if "connected" not in line:
                seen.append(line)
        return seen


@contextlib.asynccontextmanager
async def follow(node: str, transport: str, url: str, count: int) -> AsyncIterator[Follower]:
    process = await asyncio.create_subprocess_exec(
        node,
        "follow.mjs",
        transport,
        url,
        str(count),
        cwd=CLIENTS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield Follower(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def slugs(sessions: Sessions, ids: list[int]) -> list[str]:
    async with sessions() as session:
        rows = {row.id: row.slug for row in await session.execute(select(Article.id, Article.slug))}
    return [rows[article_id] for article_id in ids]


@pytest.mark.parametrize("transport", ["ws", "sse", "sse-single"])
async def test_a_stock_client_loses_and_repeats_nothing_across_a_restart(
    database_url: str, sessions: Sessions, transport: str
) -> None:
    node = require_npm_clients()
    await ensure_agency(sessions, slug="kpu-npm", type_code="kpu", region_code="64")
    batch = [await add_article(sessions, agency_slug="kpu-npm", regions=["64"]) for _ in range(9)]
    env = clean_env(
        HUB_DATABASE_URL=database_url, HUB_AUTO_MIGRATE="false", HUB_LIVE_CATCH_UP_INTERVAL="1"
    )
    port = free_port()
    scheme = "ws" if transport == "ws" else "http"
    server = ServerProcess(env, port)
    try:
        await server.ready()
        async with follow(node, transport, f"{scheme}://127.0.0.1:{port}/graphql", 9) as follower:
            await follower.connected(1)
            await asyncio.sleep(0.5)  # the subscription is in place
            for article in batch[:3]:
                await approve_article(sessions, article)
            seen = await follower.changes(3)

            assert server.stop(signal.SIGTERM) == 0
            for article in batch[3:6]:  # while the server is down
                await approve_article(sessions, article)
            server = ServerProcess(env, port)
            await server.ready()
            await follower.connected(2)
            for article in batch[6:]:
                await approve_article(sessions, article)
            seen += await follower.changes(6)
            assert await asyncio.wait_for(follower.process.wait(), 30) == 0
    finally:
        server.kill()
    cursors = [change["cursor"] for change in seen]
    assert len(set(cursors)) == 9  # nothing repeated
    assert [change["article"]["slug"] for change in seen] == await slugs(sessions, batch)
