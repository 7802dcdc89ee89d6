"""Response cache figures of one `hub serve` process: a repeated feed with and without the
cache, and how soon a read shows an approval.

A database of its own (``hub_bench_cache_<pid>``) on ``HUB_DATABASE_URL``, or on an
embedded PostgreSQL of the benchmark's own when that is unset (a shared server's
long-running transactions hold back the outbox every process follows, and with it the
figures); dropped afterwards. ``--articles`` approved articles over ten provinces.

- ``throughput``: ``--clients`` concurrent clients send the same Kalimantan Timur feed (20
  articles with agency and stages) for ``--seconds``, on a server with the cache off and
  one with it on (``--runs`` runs each, alternating; medians): requests per second, p50
  latency, hit ratio (from ``/metrics``), and the ratio of requests per second to the
  uncached floor measured in the same run.
- ``invalidation``: a client keeps the feed cached and a WebSocket subscriber follows the
  province's live feed; an editor approves a Kalimantan Timur article (``--approvals``
  times). From the approval's answer (after its commit): how long until the live
  subscriber gets it (the live path: the floor) and until a read of the feed shows it
  (reads sent back to back). Medians, p90, max, and the ratio of the medians.

    make bench-cache        # python -m bench.cache
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.live import AGENCIES, APPROVE, EDITOR, create_database, drop_database
from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres
from hub.db.provision import seed
from hub.settings import normalise_database_url
from hub.vocabulary import ArticleStatus, MemberRole
from tests.factories import add_account, add_article, ensure_agency, login, settings_for
from tests.helpers import GraphQLClient
from tests.live_client import LiveClient
from tests.postgres import new_shared_folder
from tests.servers import ServerProcess, clean_env

PROVINCES = ["11", "12", "31", "32", "33", "35", "51", "61", "64", "73"]
FEED = """
query Feed($region: String!) {
  articles(filter: {region: $region}, first: 20) {
    totalCount
    nodes { slug title summary publishedAt agency { name acronym } electionStages { name } }
  }
}
"""
FEED_VARIABLES = {"region": "64"}
CACHE_OFF = {"HUB_RESPONSE_CACHE_BYTES": "0"}
CACHE_ON = {"HUB_RESPONSE_CACHE_BYTES": str(64 * 1024 * 1024)}


async def prepare(url: str, articles: int, approvals: int) -> list[str]:
    """Approved articles over ten provinces; returns the slugs of ``approvals`` submitted
    Kalimantan Timur articles waiting for an editor."""
    await asyncio.to_thread(migrations.upgrade, url)
    await seed(url, demo=False)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for number, slug in enumerate(AGENCIES):
        await ensure_agency(sessions, slug=slug, region_code=PROVINCES[number % len(PROVINCES)])
    await add_account(
        sessions,
        settings_for(url, Path("/nonexistent")),
        EDITOR,
        roles=dict.fromkeys(AGENCIES, MemberRole.EDITOR),
    )
    async with sessions() as session:
        regencies = {
            province: list(
                (
                    await session.scalars(
                        text("SELECT code FROM regions WHERE parent_code = :p"), {"p": province}
                    )
                ).all()
            )
            for province in PROVINCES
        }
    body = "<p>" + "Isi berita untuk pengukuran tembolok. " * 30 + "</p>"
    for number in range(articles):
        province = PROVINCES[number % len(PROVINCES)]
        await add_article(
            sessions,
            agency_slug=AGENCIES[number % len(AGENCIES)],
            status=ArticleStatus.APPROVED,
            slug=f"berita-tembolok-{number}",
            regions=[regencies[province][number % len(regencies[province])]],
            body=body,
        )
    waiting = []
    kaltim = AGENCIES[PROVINCES.index("64")]
    for number in range(approvals):
        slug = f"berita-tembolok-baru-{number}"
        await add_article(sessions, agency_slug=kaltim, slug=slug, regions=["64.71"], body=body)
        waiting.append(slug)
    await engine.dispose()
    return waiting


@asynccontextmanager
async def server(url: str, **extra: str) -> AsyncIterator[ServerProcess]:
    env = clean_env(
        HUB_DATABASE_URL=url,
        HUB_AUTO_MIGRATE="false",
        HUB_LOG_LEVEL="warning",
        HUB_QUOTA_ANONYMOUS_REQUESTS="0",
        HUB_QUOTA_ANONYMOUS_COST="0",
        HUB_QUOTA_ACCOUNT_REQUESTS="0",
        HUB_QUOTA_ACCOUNT_COST="0",
        **extra,
    )
    started = ServerProcess(env)
    try:
        await started.ready()
        yield started
    finally:
        if started.process.poll() is None:
            started.stop()


async def metric(http: httpx.AsyncClient, name: str) -> float:
    for line in (await http.get("/metrics")).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def hammer(running: ServerProcess, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` clients sending the feed back to back for ``seconds``."""
    latencies: list[float] = []
    payload = {"query": FEED, "variables": FEED_VARIABLES}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=running.url, timeout=30, limits=limits) as http:
        assert (await http.post("/graphql", json=payload)).status_code == 200  # warm
        hits = await metric(http, "hub_response_cache_hits_total")
        misses = await metric(http, "hub_response_cache_misses_total")
        end = time.perf_counter() + seconds

        async def client() -> None:
            while (start := time.perf_counter()) < end:
                response = await http.post("/graphql", json=payload)
                assert response.status_code == 200, response.text
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
        hits = await metric(http, "hub_response_cache_hits_total") - hits
        misses = await metric(http, "hub_response_cache_misses_total") - misses
    looked_up = hits + misses
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "hit_ratio": hits / looked_up if looked_up else 0.0,
    }


async def throughput(url: str, runs: int, clients: int, seconds: float) -> None:
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for run in range(runs):
        for label, settings in (("off", CACHE_OFF), ("on", CACHE_ON)):
            async with server(url, **settings) as running:
                result = await hammer(running, clients, seconds)
            results[label].append(result)
            print(f"run {run + 1} cache {label}: {fmt(result)}", flush=True)
    off = {key: statistics.median(r[key] for r in results["off"]) for key in results["off"][0]}
    on = {key: statistics.median(r[key] for r in results["on"]) for key in results["on"][0]}
    ratios = [
        with_cache["rps"] / without["rps"]
        for with_cache, without in zip(results["on"], results["off"], strict=True)
    ]
    print(f"\nrepeated feed, {clients} clients, {seconds:g} s, medians of {runs} runs")
    print(f"  cache off: {fmt(off)}")
    print(f"  cache on:  {fmt(on)}")
    print(f"  req/s with the cache / without (per run, median): {statistics.median(ratios):.1f}x")


async def invalidation(url: str, waiting: list[str]) -> None:
    async with (
        server(url, **CACHE_ON) as running,
        httpx.AsyncClient(base_url=running.url, timeout=30) as http,
        LiveClient.connect(running.ws_url) as live,
    ):
        gql = GraphQLClient(http)
        headers = {"Authorization": f"Bearer {(await login(gql, EDITOR))['accessToken']}"}
        await live.subscribe_articles("feed", regionCode="64")
        payload = {"query": FEED, "variables": FEED_VARIABLES}
        live_ms, read_ms, reads = [], [], []
        for slug in waiting:
            for _ in range(3):  # cached again after the previous approval
                await http.post("/graphql", json=payload)
            data = await gql(APPROVE, {"slug": slug}, headers=headers)
            answered = time.perf_counter()
            assert data["approveArticle"]["errors"] == [], data

            async def delivered(slug: str = slug) -> float:
                (event,) = await live.events(1)
                assert event["article"]["slug"] == slug, event
                return time.perf_counter()

            async def shown(slug: str = slug) -> tuple[float, int]:
                count = 0
                while True:
                    count += 1
                    body = (await http.post("/graphql", json=payload)).json()
                    nodes = body["data"]["articles"]["nodes"]
                    if any(node["slug"] == slug for node in nodes):
                        return time.perf_counter(), count

            arrived, (seen, count) = await asyncio.gather(delivered(), shown())
            live_ms.append(1000 * (arrived - answered))
            read_ms.append(1000 * (seen - answered))
            reads.append(count)
        ratio = statistics.median(read_ms) / statistics.median(live_ms)
        print(f"\napproval answered -> shown, {len(waiting)} approvals (ms)")
        print(f"  live subscriber (floor): {spread(live_ms)}")
        print(f"  next read of the feed:   {spread(read_ms)}")
        print(f"  reads sent until shown: median {statistics.median(reads):g}, max {max(reads)}")
        print(f"  read / live (medians): {ratio:.2f}")
        invalidations = await metric(http, "hub_response_cache_invalidations_total")
        print(f"  entries invalidated: {invalidations:g}")


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered):.1f}, p90 {p90:.1f}, max {ordered[-1]:.1f}"


def fmt(result: dict[str, float]) -> str:
    return (
        f"{result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
        f"hit ratio {result['hit_ratio']:.3f}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--approvals", type=int, default=15)
    args = parser.parse_args()
    print(f"load at the start: {os.getloadavg()}", flush=True)
    configured = os.environ.get("HUB_DATABASE_URL")
    embedded, folder = None, None
    if configured:
        base = normalise_database_url(configured)
    else:
        folder = new_shared_folder("hub-bench-cache-")
        embedded = EmbeddedPostgres(folder)
        base = embedded.start()
    name = f"hub_bench_cache_{os.getpid()}"
    try:
        url = await create_database(base, name)
        try:
            waiting = await prepare(url, args.articles, args.approvals)
            await throughput(url, args.runs, args.clients, args.seconds)
            await invalidation(url, waiting)
        finally:
            await drop_database(base, name)
    finally:
        if embedded is not None:
            embedded.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
