"""Login throttling and quotas hold across two real ``hub serve`` processes sharing one
database: failed logins are counted wherever they happen (also when guessed concurrently at
both), and a client hammering both processes gets its quota, not twice it.

Client addresses are given as ``X-Forwarded-For``: the servers trust it from 127.0.0.1 (the
default ``HUB_FORWARDED_ALLOW_IPS``), as they would from a local proxy.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.vocabulary import ApiKeyScope
from tests.factories import PASSWORD, add_account, add_api_key, bearer, ensure_agency, settings_for
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

Sessions = async_sessionmaker[AsyncSession]
EMAIL = "editor@kukar.go.id"
WRONG = "bukan kata sandinya"
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken errors { code } } }"""
QUERY = '{ region(code: "64") { name } }'
REQUESTS_PER_MINUTE = 60
KEY_REQUESTS_PER_MINUTE = 40
BURST_SECONDS = 3.0


@pytest.fixture
def servers(database_url: str) -> Iterator[list[ServerProcess]]:
    env = clean_env(
        HUB_DATABASE_URL=database_url,
        HUB_AUTO_MIGRATE="false",
        HUB_LOGIN_ACCOUNT_FREE_FAILURES="3",
        HUB_LOGIN_ADDRESS_FREE_FAILURES="5",
        HUB_LOGIN_BACKOFF_SECONDS="60",
        HUB_QUOTA_ANONYMOUS_REQUESTS=str(REQUESTS_PER_MINUTE),
        HUB_QUOTA_ANONYMOUS_COST="0",
        HUB_QUOTA_API_KEY_REQUESTS=str(KEY_REQUESTS_PER_MINUTE),
        HUB_QUOTA_API_KEY_COST="0",
    )
    started = [ServerProcess(env), ServerProcess(env)]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.kill()


async def login(server: ServerProcess, email: str, password: str, address: str) -> str:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.post(
            "/graphql",
            json={"query": LOGIN, "variables": {"email": email, "password": password}},
            headers={"X-Forwarded-For": address},
        )
    payload = response.json()["data"]["login"]
    return payload["errors"][0]["code"] if payload["errors"] else "OK"


async def test_failed_logins_count_across_processes(
    servers: list[ServerProcess], sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    a, b = servers
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    await add_account(sessions, settings_for(database_url, tmp_path), EMAIL)

    alternating = [
        await login(server, EMAIL, WRONG, f"198.51.100.{n}")
        for n, server in enumerate((a, b, a, b, a))
    ]
    assert alternating == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 2
    assert await login(b, EMAIL, PASSWORD, "198.51.100.9") == "RATE_LIMITED"

    # Twelve guesses at once, six at each process, each from its own address: three are checked.
    guesses = await asyncio.gather(
        *(
            login(server, "sasaran@kukar.go.id", WRONG, f"203.0.113.{n}")
            for n, server in zip(range(12), itertools.cycle((a, b)), strict=False)
        )
    )
    assert sorted(guesses) == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 9

    # One address trying many accounts, alternating processes.
    sprayed = [
        await login(server, f"orang{n}@kukar.go.id", WRONG, "192.0.2.77")
        for n, server in zip(range(7), itertools.cycle((a, b)), strict=False)
    ]
    assert sprayed == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 2


async def burst(servers: list[ServerProcess], headers: dict[str, str]) -> tuple[int, int]:
    """Eight clients hammer both processes for a few seconds: (admitted, refused)."""
    counts = {200: 0, 429: 0}
    deadline = time.monotonic() + BURST_SECONDS

    async def client(server: ServerProcess) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            while time.monotonic() < deadline:
                response = await http.post("/graphql", json={"query": QUERY}, headers=headers)
                counts[response.status_code] += 1

    await asyncio.gather(*(client(servers[n % 2]) for n in range(8)))
    return counts[200], counts[429]


async def test_a_client_gets_its_quota_across_processes_not_more(
    servers: list[ServerProcess], sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    key = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
    if time.time() % 60 > 60 - 2 * BURST_SECONDS - 2:  # both bursts within one minute
        await asyncio.sleep(60 - time.time() % 60 + 0.5)

    admitted, refused = await burst(servers, {"X-Forwarded-For": "198.51.100.50"})
    by_key, _ = await burst(servers, {**bearer(key), "X-Forwarded-For": "198.51.100.51"})
    print(f"\nburst over two processes: {admitted} of {admitted + refused} admitted (limit 60)")
    print(f"API key burst: {by_key} admitted (limit 40)")
    # At most (N - 1) * ceil(L / 8N) over: 4 for 60 a minute, 3 for 40 (hub/quota.py).
    assert REQUESTS_PER_MINUTE - 5 <= admitted <= REQUESTS_PER_MINUTE + 4
    assert KEY_REQUESTS_PER_MINUTE - 5 <= by_key <= KEY_REQUESTS_PER_MINUTE + 3
    assert refused > admitted  # the burst was well over the limit
