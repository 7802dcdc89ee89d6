"""Read benchmark: serve the app with uvicorn and drive it over HTTP with a GraphQL query mix.

For each query (province feed, article detail with related coverage, related coverage alone,
search, region drill-down)
and each concurrency (1, 8, 32 clients) it prints requests/s, p50/p99 latency, the SQL
statements per request (of a warm process) and the server's CPU time per request (of its
processes, from ``/proc``), each the median of ``--runs`` runs; and, as the
floor, the feed's data fetched by one hand-written SQL statement through asyncpg at the same
concurrencies, measured right after each feed run (the machine's load changes over time).

Usage: python -m bench.read.load [--url ...] [--seconds 5] [--runs 3] [--workers 2]
Needs the dataset of ``bench.read.generate`` in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from bench.read.generate import DEFAULT_URL
from hub.app import create_app
from hub.settings import Environment, Settings

FEED = """query Feed($region: String!) {
  articles(filter: {region: $region}, first: 20) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id slug title summary publishedAt viewCount category
      agency { name acronym } tags { slug label } electionStages { code name }
      regions { code name } } } } }"""
DETAIL = """query Detail($slug: String!) { article(slug: $slug) {
  title body publishedAt agency { name } event { title } people { quote person { name } }
  relatedCoverage(first: 5) { edges { score reason node { slug title agency { name } } } } } }"""
RELATED = """query Related($slug: String!) { article(slug: $slug) {
  relatedCoverage(first: 5) { edges { score reason shared node { slug title agency { name } } } } } }"""
SEARCH = """query Search($q: String!) { articles(search: $q, first: 10) {
  searchedFor { text } edges { score highlight { title snippet } node { slug title publishedAt } } } }"""
DRILL = """query Region($code: String!) { region(code: $code) { name ancestors { name }
  children { code name } agencies(first: 10) { totalCount nodes { name } }
  articles(first: 5) { totalCount nodes { title publishedAt } } } }"""

FLOOR_SQL = """
WITH page AS (
  SELECT a.id, a.slug, a.title, a.summary, a.published_at, a.view_count, a.category,
         a.source_agency_id, f.listed_at
  FROM region_feed f JOIN articles a ON a.id = f.article_id
  WHERE f.region_code = $1 AND a.status IN ('approved', 'retracted')
  ORDER BY f.listed_at DESC, f.article_id DESC LIMIT 21
), tags_of AS (
  SELECT x.article_id, json_agg(json_build_object('slug', t.slug, 'label', t.label) ORDER BY t.slug) AS list
  FROM article_tags x JOIN tags t ON t.id = x.tag_id
  WHERE x.article_id IN (SELECT id FROM page) GROUP BY x.article_id
), stages_of AS (
  SELECT x.article_id, json_agg(json_build_object('code', s.code, 'name', s.name) ORDER BY s.ordinal) AS list
  FROM article_election_stages x JOIN election_stages s ON s.code = x.stage_code
  WHERE x.article_id IN (SELECT id FROM page) GROUP BY x.article_id
), regions_of AS (
  SELECT x.article_id, json_agg(json_build_object('code', r.code, 'name', r.name) ORDER BY r.code) AS list
  FROM article_regions x JOIN regions r ON r.code = x.region_code
  WHERE x.article_id IN (SELECT id FROM page) GROUP BY x.article_id
)
SELECT page.*, g.name AS agency_name, g.acronym AS agency_acronym,
       coalesce(tags_of.list, '[]') AS tags, coalesce(stages_of.list, '[]') AS stages,
       coalesce(regions_of.list, '[]') AS regions
FROM page JOIN agencies g ON g.id = page.source_agency_id
LEFT JOIN tags_of ON tags_of.article_id = page.id
LEFT JOIN stages_of ON stages_of.article_id = page.id
LEFT JOIN regions_of ON regions_of.article_id = page.id
ORDER BY page.listed_at DESC, page.id DESC
"""


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int = 0
    cpu_ms: float | None = None  # the server's CPU time per request (its processes')


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its descendants (Linux ``/proc``)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


async def measured(
    make_call: Callable[[int], Awaitable[None]], clients: int, seconds: float, pid: int
) -> Result:
    """``drive`` with the server's CPU time per request."""
    before = server_cpu_seconds(pid)
    result = await drive(make_call, clients, seconds)
    spent = server_cpu_seconds(pid) - before
    result.cpu_ms = spent * 1000 / result.requests if result.requests else None
    return result


class HttpClient:
    """A minimal keep-alive HTTP/1.1 client: cheap enough not to be what is measured."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> bytes:
        try:
            return await self._post(body)
        except (asyncio.IncompleteReadError, ConnectionError):  # the server closed an idle one
            self.writer = None
            return await self._post(body)

    async def _post(self, body: bytes) -> bytes:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        payload = await self.reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(payload[:300])
        return payload


async def drive(
    make_call: Callable[[int], Awaitable[None]], clients: int, seconds: float
) -> Result:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(number: int) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await make_call(number)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return Result(
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        len(latencies),
    )


def variables_for(
    samples: dict[str, list[Any]],
) -> dict[str, Callable[[random.Random], dict[str, Any]]]:
    return {
        "feed": lambda rng: {"region": rng.choice(samples["provinces"])},
        "detail": lambda rng: {"slug": rng.choice(samples["slugs"])},
        "related": lambda rng: {"slug": rng.choice(samples["slugs"])},
        "search": lambda rng: {"q": rng.choice(samples["searches"])},
        "drill-down": lambda rng: {"code": rng.choice(samples["provinces"])},
    }


QUERIES = {
    "feed": FEED,
    "detail": DETAIL,
    "related": RELATED,
    "search": SEARCH,
    "drill-down": DRILL,
}


async def load_samples(url: str) -> dict[str, list[Any]]:
    connection = await asyncpg.connect(url)
    try:
        provinces = [
            r[0]
            for r in await connection.fetch("SELECT code FROM regions WHERE parent_code IS NULL")
        ]
        slugs = [
            r[0]
            for r in await connection.fetch(
                "SELECT slug FROM articles WHERE status = 'approved' ORDER BY random() LIMIT 500"
            )
        ]
        count = await connection.fetchval("SELECT count(*) FROM articles")
    finally:
        await connection.close()
    searches = [
        "pemilu",
        "banjir",
        "Balikpapan",
        "vaksinasi puskesmas",
        "kampanye",
        "sosialisasi pemilih",
        "Samarinda",
        "festival budaya",
        "hoaks literasi",
        "jembatan",
    ]
    return {"provinces": provinces, "slugs": slugs, "searches": searches, "count": [count]}


async def statements_per_request(url: str, samples: dict[str, list[Any]]) -> dict[str, int]:
    settings = Settings(database_url=url, environment=Environment.TEST)
    app = create_app(settings)
    counts: dict[str, int] = {}
    async with app.router.lifespan_context(app):
        recorded: list[str] = []

        def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            recorded.append(statement)

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            rng = random.Random(1)
            for name, query in QUERIES.items():
                body = {"query": query, "variables": variables_for(samples)[name](rng)}
                await client.post("/graphql", json=body)  # fills the process-wide caches
                recorded.clear()
                response = await client.post("/graphql", json=body)
                assert "errors" not in response.json(), response.text[:500]
                counts[name] = len(recorded)
    return counts


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_GRAPHIQL": "false",
        "HUB_DB_POOL_SIZE": "20",
        # One client address sends hundreds of requests a second: no quota for it.
        "HUB_QUOTA_ANONYMOUS_REQUESTS": "0",
        "HUB_QUOTA_ANONYMOUS_COST": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.app:create_app_from_environment",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=environment,
    )


async def wait_ready(port: int) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


async def run(
    url: str,
    seconds: float,
    runs: int,
    workers: int,
    port: int,
    concurrencies: list[int],
    names: list[str],
) -> None:
    samples = await load_samples(url)
    print(
        f"dataset: {samples['count'][0]} articles; {workers} uvicorn workers; "
        f"{seconds:.0f} s per measurement, median of {runs} runs"
    )
    statements = await statements_per_request(normalise(url), samples)
    server = start_server(url, port, workers)
    rows = []
    floor: dict[int, Result] = {}
    floor_pool = await asyncpg.create_pool(
        url, min_size=max(concurrencies), max_size=max(concurrencies)
    )
    try:
        await wait_ready(port)
        for name in names:
            query = QUERIES[name]
            make_variables = variables_for(samples)[name]
            for clients in concurrencies:
                print(f"  {name} x{clients}", file=sys.stderr, flush=True)
                pool = [HttpClient(port) for _ in range(clients)]
                rng = random.Random(clients)

                async def call(
                    number: int,
                    query: str = query,
                    make_variables: Callable[[random.Random], dict[str, Any]] = make_variables,
                    rng: random.Random = rng,
                    pool: list[HttpClient] = pool,
                ) -> None:
                    body = json.dumps({"query": query, "variables": make_variables(rng)}).encode()
                    await pool[number].post(body)

                floor_call = floor_caller(floor_pool, samples, clients)
                await drive(call, clients, 1.0)  # warm up
                if name == "feed":
                    await drive(floor_call, clients, 1.0)
                results, floors = [], []
                for _ in range(runs):  # the floor right after each run: the same machine load
                    results.append(await measured(call, clients, seconds, server.pid))
                    if name == "feed":
                        floors.append(await drive(floor_call, clients, seconds))
                rows.append((name, clients, median(results), statements[name]))
                if floors:
                    floor[clients] = median(floors)
    finally:
        server.terminate()
        server.wait(timeout=30)
        await floor_pool.close()
    print(
        f"{'query':<11} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'SQL/req':>7} "
        f"{'CPU ms/req':>10} {'floor req/s':>11} {'ratio':>6}"
    )
    for name, clients, result, count in rows:
        floor_rps = floor[clients].requests_per_second if name == "feed" else None
        ratio = f"{result.requests_per_second / floor_rps:.2f}" if floor_rps else "-"
        print(
            f"{name:<11} {clients:>7} {result.requests_per_second:>8.0f} {result.p50_ms:>8.1f} "
            f"{result.p99_ms:>8.1f} {count:>7} {result.cpu_ms or 0:>10.2f} "
            f"{floor_rps or 0:>11.0f} {ratio:>6}"
        )
    for clients, result in floor.items():
        print(
            f"{'floor feed':<11} {clients:>7} {result.requests_per_second:>8.0f} {result.p50_ms:>8.1f} "
            f"{result.p99_ms:>8.1f} {1:>7}"
        )


def floor_caller(
    pool: asyncpg.Pool, samples: dict[str, list[Any]], clients: int
) -> Callable[[int], Awaitable[None]]:
    """The feed's data by one hand-written statement through asyncpg (rows decoded)."""
    rng = random.Random(clients)

    async def call(_number: int) -> None:
        rows = await pool.fetch(FLOOR_SQL, rng.choice(samples["provinces"]))
        for row in rows:
            json.loads(row["tags"]), json.loads(row["regions"]), json.loads(row["stages"])

    return call


def median(results: list[Result]) -> Result:
    cpu = [r.cpu_ms for r in results if r.cpu_ms is not None]
    return Result(
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.requests for r in results),
        statistics.median(cpu) if cpu else None,
    )


def normalise(url: str) -> str:
    from hub.settings import normalise_database_url

    return normalise_database_url(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("HUB_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument(
        "--queries", default=",".join(QUERIES), help="which of: " + ", ".join(QUERIES)
    )
    arguments = parser.parse_args()
    concurrencies = [int(n) for n in arguments.clients.split(",")]
    asyncio.run(
        run(
            arguments.url,
            arguments.seconds,
            arguments.runs,
            arguments.workers,
            arguments.port,
            concurrencies,
            arguments.queries.split(","),
        )
    )


if __name__ == "__main__":
    main()
