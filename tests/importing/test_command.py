"""``hub import`` as an operator runs it: a real process, killed mid-run, run again."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article
from tests.importing.conftest import AGENCY
from tests.importing.wordpress_site import Site, serving
from tests.servers import HUB, clean_env

pytestmark = pytest.mark.slow

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def site() -> Iterator[Site]:
    with serving(Site(delay=0.3)) as running:
        yield running


async def imported(sessions: Sessions, site: Site) -> list[str]:
    async with sessions() as session:
        urls = await session.scalars(
            select(Article.canonical_url).where(Article.canonical_url.startswith(site.base))
        )
        return [url for url in urls if url]


async def test_killed_mid_run_then_resumed(
    site: Site, editor: str, database_url: str, sessions: Sessions
) -> None:
    command = [
        *HUB, "import", "wordpress", f"{site.base}/", "--agency", AGENCY, "--as", editor,
        "--per-page", "1", "--progress",
    ]  # fmt: skip
    env = clean_env(HUB_DATABASE_URL=database_url)
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        for _ in range(600):  # until some posts are in, then kill it as a crash would
            if len(await imported(sessions, site)) >= 2 or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert process.returncode is None, await process.communicate()
        process.send_signal(signal.SIGKILL)
    finally:
        await asyncio.wait_for(process.communicate(), 30)
    before = await imported(sessions, site)
    assert 2 <= len(before) < 6

    site.delay = 0
    finished = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(finished.communicate(), 120)
    assert finished.returncode == 2, err  # one post is password-protected
    lines = out.decode().splitlines()
    assert lines[0].startswith(f"WordPress {site.root} -> {AGENCY}, after posts modified at")
    assert lines[-1] == "  failed post 4105: password-protected on the site"
    assert re.search(rb"\r\[#{24}\] (\d+)/\1  created", err), err  # the progress line
    after = await imported(sessions, site)
    assert len(after) == len(set(after)) == 6


async def test_usage_errors_are_one_line(editor: str, database_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *HUB, "import", "jsonl", "/tidak/ada.jsonl", "--agency", AGENCY, "--as", editor,
        env=clean_env(HUB_DATABASE_URL=database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    assert err == b"hub: error: no such file: /tidak/ada.jsonl\n"
