"""The /live page in headless Chromium: articles appear as they are approved, and the page
resumes after the server restarts without missing what was approved meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser import CHROMIUM, browser_page
from tests.factories import OpenDesk, add_article, ensure_agency
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

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
