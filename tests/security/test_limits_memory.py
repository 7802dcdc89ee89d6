"""A real ``hub serve`` process answers 50,000 distinct documents (an alias and a literal change
in each, as clients that paste values into the query text send them) and its resident memory
levels off: every cache and per-document structure is bounded. Takes a minute or more; it is
marked ``slow`` (``-m "not slow"`` leaves it out)."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

# HUB_TEST_MEMORY_DOCUMENTS: fewer for a quick look (the first half still has to fill the
# caches: more than 2,000).
DOCUMENTS = int(os.environ.get("HUB_TEST_MEMORY_DOCUMENTS", "50000"))
CLIENTS = 8
MIB = 1024 * 1024


@pytest.fixture
def server(demo: str) -> Iterator[ServerProcess]:
    env = clean_env(
        HUB_DATABASE_URL=demo,
        HUB_AUTO_MIGRATE="false",
        HUB_LOG_LEVEL="warning",
        HUB_QUOTA_ANONYMOUS_REQUESTS="0",  # the quota would refuse most of them (429)
        HUB_QUOTA_ANONYMOUS_COST="0",
    )
    with ServerProcess.ready_with(env) as started:
        yield started


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def document(number: int) -> str:
    return (
        f'{{ a{number}: region(code: "{64 + number % 2}") {{ name }} '
        f"b: articles(first: {1 + number % 20}) {{ nodes {{ slug }} }} }}"
    )


async def send(url: str, numbers: Iterator[int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for number in numbers:
            response = await client.post("/graphql", json={"query": document(number)})
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text


async def test_memory_levels_off_under_distinct_documents(server: ServerProcess) -> None:
    pid = server.process.pid
    numbers = iter(range(DOCUMENTS))
    marks: list[int] = []
    for share in (DOCUMENTS // 2, DOCUMENTS // 2):  # the first half fills the caches
        part = itertools.islice(numbers, share)
        shared = iter(list(part))
        await asyncio.gather(*(send(server.url, shared) for _ in range(CLIENTS)))
        marks.append(resident_bytes(pid))
    growth = (marks[1] - marks[0]) / MIB
    assert growth < 4, f"grew {growth:.1f} MiB over the second {DOCUMENTS // 2} documents"
