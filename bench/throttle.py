"""Abuse figures of one `hub serve` process in production mode, with real argon2 costs.

Phases, each on a fresh server over a database of its own (``hub_bench_throttle_<pid>`` on the
server named by ``HUB_BENCH_DATABASE_URL``, default the local PostgreSQL; dropped afterwards):

- ``unthrottled, 8 hashing threads``: 8 concurrent password guessers with the login limits
  lifted and as many threads hashing as guessers — what guessing takes from an unbounded
  process (accepted guesses per second, the server's CPU, the p50 of an anonymous query sent
  meanwhile);
- ``unthrottled``: the same with the default password pool (``HUB_PASSWORD_WORKERS``): the
  floor the throttled phases are compared against;
- ``per account``: 8 guessers at one account, each attempt from another client address (so
  only the account's count applies), default limits;
- ``per address``: 8 guessers from one client address, each attempt at another account
  (password spraying), default limits;
- ``sockets``: how many idle WebSockets one address can hold; how many silent TCP connections
  and slow-loris connections (headers trickling) are still open after the header timeout.

"Accepted" means the password was checked (``INVALID_CREDENTIALS``); refused attempts
(``RATE_LIMITED``) cost no hashing. Client addresses are given as ``X-Forwarded-For`` (trusted
from 127.0.0.1 by default).

    make bench-throttle                 # python -m bench.throttle --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import secrets
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.live import create_database, drop_database
from hub.db import migrations
from hub.db.provision import seed
from hub.settings import Settings, normalise_database_url
from tests.factories import PASSWORD, add_account, ensure_agency
from tests.servers import ServerProcess, clean_env

EMAIL = "editor@kukar.go.id"
WRONG = "bukan kata sandinya"
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken errors { code } } }"""
PROBE = '{ region(code: "64") { name } }'
GUESSERS = 8
REAL_ARGON2 = {  # the defaults, not the tests' cheap ones
    "HUB_ARGON2_TIME_COST": "3",
    "HUB_ARGON2_MEMORY_KIB": "65536",
    "HUB_ARGON2_PARALLELISM": "2",
}
UNTHROTTLED = {
    "HUB_LOGIN_ACCOUNT_FREE_FAILURES": "1000000",
    "HUB_LOGIN_ACCOUNT_LOCKOUT_FAILURES": "1000000",
    "HUB_LOGIN_ADDRESS_FREE_FAILURES": "1000000",
    "HUB_LOGIN_ADDRESS_LOCKOUT_FAILURES": "1000000",
    "HUB_PASSWORD_QUEUE": "1000",
}
NO_QUOTAS = {"HUB_QUOTA_ANONYMOUS_REQUESTS": "0", "HUB_QUOTA_ANONYMOUS_COST": "0"}


@dataclass
class Outcome:
    seconds: float
    accepted: list[float] = field(default_factory=list)  # when, from the start
    refused: int = 0
    probes: list[float] = field(default_factory=list)  # anonymous query latencies, s
    cpu_seconds: float = 0.0

    def row(self, name: str) -> dict[str, Any]:
        first_minute = sum(1 for at in self.accepted if at < 60)
        return {
            "phase": name,
            "seconds": round(self.seconds, 1),
            "accepted": len(self.accepted),
            "accepted_per_s": round(len(self.accepted) / self.seconds, 3),
            "accepted_first_minute": first_minute,
            "refused": self.refused,
            "server_cores": round(self.cpu_seconds / self.seconds, 2),
            "probe_p50_ms": round(statistics.median(self.probes) * 1000, 1)
            if self.probes
            else None,
        }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def server(url: str, **extra: str) -> AsyncIterator[ServerProcess]:
    """A fresh server; failed-login counts of earlier phases forgotten."""
    await forget_failures(url)
    env = clean_env(
        HUB_DATABASE_URL=url,
        HUB_AUTO_MIGRATE="false",
        HUB_ENVIRONMENT="production",
        HUB_SECRET_KEY=secrets.token_urlsafe(48),
        HUB_LOG_LEVEL="warning",
        **REAL_ARGON2,
        **NO_QUOTAS,
        **extra,
    )
    started = ServerProcess(env)
    try:
        await started.ready()
        yield started
    finally:
        if started.process.poll() is None:
            started.kill()


async def guess(running: ServerProcess, seconds: float, *, spray: bool) -> Outcome:
    """``GUESSERS`` concurrent wrong logins for ``seconds``: one account from many addresses,
    or (``spray``) many accounts from one address; anonymous probes meanwhile."""
    outcome = Outcome(seconds)
    numbers = itertools.count()
    started = time.monotonic()
    cpu_before = cpu_seconds(running.process.pid)

    async def guesser(http: httpx.AsyncClient) -> None:
        while (now := time.monotonic()) - started < seconds:
            n = next(numbers)
            email = f"orang{n}@kukar.go.id" if spray else EMAIL
            address = (
                "198.51.100.1" if spray else f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            )
            response = await http.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"email": email, "password": WRONG}},
                headers={"X-Forwarded-For": address},
            )
            code = response.json()["data"]["login"]["errors"][0]["code"]
            if code == "RATE_LIMITED":
                outcome.refused += 1
                await asyncio.sleep(0.05)  # a patient attacker: no busy loop on refusals
            else:
                outcome.accepted.append(now - started)

    async def prober(http: httpx.AsyncClient) -> None:
        while time.monotonic() - started < seconds:
            sent = time.monotonic()
            await http.post("/graphql", json={"query": PROBE})
            outcome.probes.append(time.monotonic() - sent)
            await asyncio.sleep(0.2)

    async with httpx.AsyncClient(base_url=running.url, timeout=120) as http:
        await asyncio.gather(*(guesser(http) for _ in range(GUESSERS)), prober(http))
    outcome.seconds = time.monotonic() - started
    outcome.cpu_seconds = cpu_seconds(running.process.pid) - cpu_before
    return outcome


async def sockets(running: ServerProcess, header_timeout: float) -> dict[str, Any]:
    held = 0
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(100_000):
            try:
                await stack.enter_async_context(
                    websockets.connect(
                        running.ws_url,
                        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                        additional_headers={"X-Forwarded-For": "198.51.100.2"},
                        compression=None,
                    )
                )
            except websockets.InvalidStatus:
                break
            held += 1
    silent = [await asyncio.open_connection("127.0.0.1", running.port) for _ in range(200)]
    trickling = [await asyncio.open_connection("127.0.0.1", running.port) for _ in range(200)]
    for _, writer in trickling:
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\n")

    async def trickle() -> None:
        for _ in range(int(header_timeout * 2) + 4):
            for _, writer in trickling:
                with contextlib.suppress(ConnectionError):
                    writer.write(b"X")
            await asyncio.sleep(0.5)

    await trickle()  # longer than the header timeout

    async def still_open(reader: asyncio.StreamReader) -> bool:
        try:
            await asyncio.wait_for(reader.read(), 0.05)
        except TimeoutError:
            return True
        except ConnectionError:
            pass  # reset by the server
        return False

    open_silent = sum([await still_open(reader) for reader, _ in silent])
    open_trickling = sum([await still_open(reader) for reader, _ in trickling])
    for _, writer in silent + trickling:
        writer.close()
    return {
        "idle_websockets_from_one_address": held,
        "silent_connections_open_after": f"{open_silent} of 200",
        "slow_loris_connections_open_after": f"{open_trickling} of 200",
        "after_seconds": int(header_timeout * 2) + 4,
    }


async def forget_failures(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM login_throttles"))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[str]:
    base = normalise_database_url(
        os.environ.get("HUB_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/hub_bench")
    )
    name = f"hub_bench_throttle_{os.getpid()}"
    url = await create_database(base, name)
    try:
        await asyncio.to_thread(migrations.upgrade, url)
        await seed(url, demo=False)
        engine = create_async_engine(url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
        settings = Settings(database_url=url, **{k[4:].lower(): v for k, v in REAL_ARGON2.items()})
        await add_account(sessions, settings, EMAIL, password=PASSWORD)
        await engine.dispose()
        yield url
    finally:
        await drop_database(base, name)


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60, help="per guessing phase")
    parser.add_argument("--floor-seconds", type=float, default=15, help="unthrottled phase")
    args = parser.parse_args()
    print(f"load at the start: {os.getloadavg()}", flush=True)
    async with database() as url:
        async with server(url, **UNTHROTTLED, HUB_PASSWORD_WORKERS=str(GUESSERS)) as running:
            outcome = await guess(running, args.floor_seconds, spray=False)
            print(outcome.row(f"unthrottled, {GUESSERS} hashing threads"))
        async with server(url, **UNTHROTTLED) as running:
            print((await guess(running, args.floor_seconds, spray=False)).row("unthrottled"))
        async with server(url) as running:
            print((await guess(running, args.seconds, spray=False)).row("per account"))
        async with server(url) as running:
            print((await guess(running, args.seconds, spray=True)).row("per address"))
        async with server(url) as running:
            print(await sockets(running, Settings().http_header_timeout))
    print(f"load at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
