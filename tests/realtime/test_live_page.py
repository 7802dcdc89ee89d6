"""The /live page in headless Chromium: articles appear as they are approved, and the page
resumes after the server restarts without missing what was approved meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import OpenDesk, add_article, ensure_agency
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
]


class Page:
    """One browser tab driven over the DevTools protocol."""

    def __init__(self, websocket: Any) -> None:
        self.websocket = websocket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        await self.websocket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.websocket.recv(), 30))
            if message.get("id") == number:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 20) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")


@contextlib.asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    assert CHROMIUM is not None
    profile = Path(tempfile.mkdtemp(prefix="hub-chromium-"))
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.returncode is not None:
                raise AssertionError("Chromium did not start")
            await asyncio.sleep(0.1)
        port = port_file.read_text().split()[0]
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        target = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as websocket:
            yield Page(websocket)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        shutil.rmtree(profile, ignore_errors=True)


SLUGS = "[...document.querySelectorAll('#articles li')].map(li => li.dataset.slug)"


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (Debian package `chromium`)")
async def test_live_page_shows_approvals_and_resumes_after_restart(
    database_url: str, sessions: async_sessionmaker[AsyncSession], open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kaltim-live")
    await ensure_agency(sessions, slug="diskominfo-jatim-live", region_code="35")
    first = await add_article(sessions, agency_slug="diskominfo-kaltim-live", regions=["64.71"])
    elsewhere = await add_article(sessions, agency_slug="diskominfo-jatim-live", regions=["35"])
    during_restart = await add_article(
        sessions, agency_slug="diskominfo-kaltim-live", regions=["64.02"]
    )
    async with sessions() as session:
        slugs = dict((await session.execute(text("SELECT id, slug FROM articles"))).all())

    env = clean_env(HUB_DATABASE_URL=database_url, HUB_AUTO_MIGRATE="false")
    server, approving = ServerProcess(env), ServerProcess(env)  # page on one, desk on the other
    try:
        await server.ready()
        await approving.ready()
        desk = await open_desk(approving.url, "diskominfo-kaltim-live", "diskominfo-jatim-live")
        async with browser_page() as page:
            await page.call("Page.navigate", url=f"{server.url}/live?region=64")
            await page.wait_for("document.getElementById('status').dataset.state === 'live'")
            await desk.approve(elsewhere)  # another province: not shown
            await desk.approve(first)
            shown = await page.wait_for(f"{SLUGS}.length > 0 && {SLUGS}")
            assert shown == [slugs[first]]

            assert server.stop() == 0  # graceful: the page sees 1012 and reconnects
            await page.wait_for("document.getElementById('status').dataset.state !== 'live'")
            await desk.approve(during_restart)
            server = ServerProcess(env, port=server.port)
            await server.ready()
            await page.wait_for(f"{SLUGS}.length === 2")
            assert await page.evaluate(SLUGS) == [slugs[during_restart], slugs[first]]
            assert await page.evaluate("document.getElementById('status').dataset.state") == "live"
    finally:
        for process in (server, approving):
            if process.process.poll() is None:
                process.stop()
