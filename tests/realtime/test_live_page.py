"""The /live page in headless Chromium: the latest articles on load, new approvals on top as
they happen, local times, Indonesian labels, province and stage filters, and a resume after
the server restarts without missing what was approved meanwhile.

``HUB_UPDATE_SCREENSHOTS=1`` also writes the page's picture to ``docs/live.png``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.settings import Settings
from tests.browser import CHROMIUM, Page, browser_page
from tests.factories import OpenDesk, add_article, ensure_agency
from tests.realtime.factories import approve_article
from tests.servers import ServerProcess, clean_env, serving

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

    # The page waits as long as the close frame says before reconnecting: at most 1 s here.
    env = clean_env(
        HUB_DATABASE_URL=database_url, HUB_AUTO_MIGRATE="false", HUB_SHUTDOWN_SPREAD="1"
    )
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
            shown_state = await page.evaluate("document.getElementById('status').textContent")
            assert "menyambung kembali" in shown_state
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


ITEMS = "[...document.querySelectorAll('#articles li')]"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


HEADLINE = "KPU Kaltim Buka Posko Informasi Pemilih di Balikpapan Jelang Rekapitulasi"
SUMMARY = (
    "Warga dapat menanyakan hasil penghitungan di TPS-nya lewat posko yang buka setiap hari "
    "kerja sampai rekapitulasi tingkat provinsi selesai."
)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (Debian package `chromium`)")
async def test_live_page_lists_the_latest_then_new_ones_on_top(
    full_demo: str, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    recap = await add_article(sessions, agency_slug="kpu-kaltim", regions=["64.71"],
                              stages=["rekapitulasi"])  # fmt: skip
    campaign = await add_article(sessions, agency_slug="kpu-kaltim", regions=["64.71"],
                                 stages=["kampanye"])  # fmt: skip
    other = await add_article(sessions, agency_slug="kpu-kaltim", regions=["64.71"],
                              stages=["masa_tenang"])  # fmt: skip
    async with sessions() as session, session.begin():
        await session.execute(
            text("UPDATE articles SET title = :title, summary = :summary WHERE id = :id"),
            {"title": HEADLINE, "summary": SUMMARY, "id": recap},
        )
        slugs = dict((await session.execute(text("SELECT id, slug FROM articles"))).all())
    async with serving(settings) as address, browser_page() as page:
        await page.call("Page.navigate", url=f"http://{address}/live?region=64")
        await page.wait_for("document.getElementById('status').dataset.state === 'live'")
        listed = await page.evaluate(
            f"{ITEMS}.map(li => [li.querySelector('time').textContent,"
            " li.querySelector('.kind').textContent, li.querySelector('a').href])"
        )
        assert len(listed) == 20  # the latest page of the province
        for when, kind, link in listed:
            assert when.endswith(" WITA"), when  # Kalimantan Timur's clock
            assert kind in ("terbit", "dikoreksi", "ditarik")
            assert link.startswith(("http://", "https://"))
        assert await page.evaluate("document.getElementById('region').value") == "64"

        await approve_article(sessions, recap)
        await page.wait_for(f"{ITEMS}[0].dataset.slug === '{slugs[recap]}'")
        assert await page.evaluate(f"{ITEMS}[0].classList.contains('fresh')")
        if os.environ.get("HUB_UPDATE_SCREENSHOTS"):
            png = await page.screenshot(1000, 900)
            await asyncio.to_thread((DOCS / "live.png").write_bytes, png)

        # a stage filter: the list reloads, and only that stage's approvals arrive
        await choose(page, "stage", "kampanye")
        await page.wait_for("location.search.includes('stage=kampanye')")
        await page.wait_for("document.getElementById('status').dataset.state === 'live'")
        assert slugs[recap] not in await page.evaluate(f"{ITEMS}.map(li => li.dataset.slug)")
        await approve_article(sessions, other)
        await approve_article(sessions, campaign)
        await page.wait_for(f"{ITEMS}[0].dataset.slug === '{slugs[campaign]}'")
        fresh = await page.evaluate(
            f"{ITEMS}.filter(li => li.classList.contains('fresh')).map(li => li.dataset.slug)"
        )
        assert fresh == [slugs[campaign]]

        # Papua reads WIT
        await choose(page, "stage", "")
        await choose(page, "region", "91")
        await page.wait_for(
            f"{ITEMS}.length > 0 && {ITEMS}.every(li => li.querySelector('time')"
            ".textContent.endsWith(' WIT'))"
        )
        assert await page.evaluate("location.search") == "?region=91"


async def choose(page: Page, select: str, value: str) -> None:
    await page.evaluate(
        f"{{ const s = document.getElementById('{select}'); s.value = '{value}';"
        " s.dispatchEvent(new Event('change')); }"
    )
