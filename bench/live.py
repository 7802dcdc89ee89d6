"""Live updates under load: N real WebSocket subscribers on one `hub serve` process.

For each N (default 1000, 5000, 10000): start a server, connect N subscribers with a mix of
filters (province, agency type, stage, tag, agency, none) from client processes, measure
the server's memory per idle subscriber, approve articles at a steady rate through the
approval workflow's helper, then report approve->delivery latency (p50/p99/max),
deliveries per second, events lost or duplicated (expected deliveries are computed from
the outbox with the same filter semantics), and SQL statements per approved article.

    make bench-live                         # or: python -m bench.live --subscribers 1000,5000
    HUB_DATABASE_URL=postgresql://... make bench-live   # an external server; else embedded
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres
from hub.db.provision import seed
from hub.db.session import asyncpg_arguments
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter
from hub.settings import normalise_database_url
from tests.factories import add_article, ensure_agency
from tests.helpers import free_port
from tests.postgres import new_shared_folder
from tests.realtime.factories import approve_article
from tests.servers import ServerProcess, clean_env

QUERY = (
    "subscription($filter: ArticleLiveFilter) { articlePublished(filter: $filter) "
    "{ cursor kind article { slug title publishedAt agency { name } } } }"
)
PROVINCES = ["11", "12", "31", "32", "33", "35", "51", "61", "64", "73"]
AGENCY_TYPES = ["diskominfo_provinsi", "kpu", "bawaslu", "humas_polda", "media_massa"]
STAGES = ["kampanye", "masa_tenang", "pemungutan_suara", "penghitungan_suara", "rekapitulasi"]
TAGS = ["pemilu-2024", "debat", "logistik", "hoaks", "partisipasi"]
CLIENT_PROCESSES = 2


def subscriber_filter(number: int) -> dict[str, str]:
    pick = random.Random(number)
    roll = pick.random()
    if roll < 0.40:
        return {"regionCode": pick.choice(PROVINCES)}
    if roll < 0.60:
        return {"agencyType": pick.choice(AGENCY_TYPES)}
    if roll < 0.75:
        return {"stageCode": pick.choice(STAGES)}
    if roll < 0.85:
        return {"tagSlug": pick.choice(TAGS)}
    if roll < 0.95:
        return {"agencySlug": f"bench-agency-{pick.randrange(20)}"}
    return {}


# -- client processes -------------------------------------------------------------------------


def client_process(url: str, numbers: list[int], pipe: Any) -> None:
    import uvloop

    uvloop.run(client_main(url, numbers, pipe))


async def client_main(url: str, numbers: list[int], pipe: Any) -> None:
    received: dict[int, list[tuple[float, str]]] = defaultdict(list)
    sockets: list[Any] = []

    async def open_one(number: int) -> None:
        websocket = await websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],
            compression=None,
            ping_interval=None,  # type: ignore[list-item]
            open_timeout=60,
            max_queue=None,
        )
        await websocket.send('{"type":"connection_init"}')
        await websocket.recv()
        variables = {"filter": subscriber_filter(number) or None}
        await websocket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": QUERY, "variables": variables},
                }
            )
        )
        sockets.append(websocket)
        asyncio.get_running_loop().create_task(read(number, websocket))

    async def read(number: int, websocket: Any) -> None:
        inbox = received[number]
        try:
            async for message in websocket:
                inbox.append((time.time(), message))
                if '"ping"' in message:
                    await websocket.send('{"type":"pong"}')
        except websockets.ConnectionClosed:
            pass

    for start in range(0, len(numbers), 100):
        await asyncio.gather(*(open_one(n) for n in numbers[start : start + 100]))
    pipe.send("connected")
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "report"
    results = {
        number: [(at, json.loads(raw)) for at, raw in messages]
        for number, messages in received.items()
    }
    deliveries = {
        number: [
            (at, m["payload"]["data"]["articlePublished"]["article"]["slug"])
            for at, m in messages
            if m.get("type") == "next"
        ]
        for number, messages in results.items()
    }
    pipe.send(deliveries)
    for websocket in sockets:
        await websocket.close()


# -- the run ---------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def prepare_database(url: str, articles: int) -> list[int]:
    await asyncio.to_thread(migrations.upgrade, url)
    await seed(url, demo=False)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    pick = random.Random(1)
    agencies = [f"bench-agency-{n}" for n in range(20)]
    for n, slug in enumerate(agencies):
        await ensure_agency(
            sessions,
            slug=slug,
            type_code=AGENCY_TYPES[n % len(AGENCY_TYPES)],
            region_code=PROVINCES[n % len(PROVINCES)],
        )
    async with sessions() as session:
        regencies = {
            p: list(
                (
                    await session.scalars(
                        text("SELECT code FROM regions WHERE parent_code = :p"), {"p": p}
                    )
                ).all()
            )
            for p in PROVINCES
        }
    ids = []
    for _ in range(articles):
        province = pick.choice(PROVINCES)
        ids.append(
            await add_article(
                sessions,
                agency_slug=pick.choice(agencies),
                regions=[pick.choice(regencies[province])],
                stages=pick.sample(STAGES, pick.randint(1, 2)),
                tags=pick.sample(TAGS, pick.randint(1, 2)),
                body="<p>" + "Isi berita untuk pengukuran. " * 40 + "</p>",
            )
        )
    await engine.dispose()
    return ids


async def run_once(url: str, subscribers: int, articles: list[int], rate: float) -> dict[str, Any]:
    env = clean_env(HUB_DATABASE_URL=url, HUB_AUTO_MIGRATE="false", HUB_LOG_LEVEL="warning")
    server = ServerProcess(env, port=free_port())
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        await server.ready()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            await http.post("/graphql", json={"query": "{ liveCursor }"})
            await asyncio.sleep(1)
            rss_before = rss_kib(server.process.pid)
            numbers = list(range(subscribers))
            pipes, processes = [], []
            context = multiprocessing.get_context("spawn")
            for part in range(CLIENT_PROCESSES):
                mine, theirs = context.Pipe()
                process = context.Process(
                    target=client_process,
                    args=(server.ws_url, numbers[part::CLIENT_PROCESSES], theirs),
                )
                process.start()
                pipes.append(mine)
                processes.append(process)
            started = time.monotonic()
            for pipe in pipes:
                await asyncio.to_thread(pipe.recv)
            connect_seconds = time.monotonic() - started
            await asyncio.sleep(3)
            stats = (await http.get("/health/realtime")).json()
            assert stats["subscribers"] == subscribers, stats
            rss_idle = rss_kib(server.process.pid)
            before = stats
            approved_at: dict[str, float] = {}
            async with sessions() as session:
                slug_of = dict((await session.execute(text("SELECT id, slug FROM articles"))).all())
            first_approval = time.time()
            for number, article in enumerate(articles):
                due = first_approval + number / rate
                await asyncio.sleep(max(0.0, due - time.time()))
                await approve_article(sessions, article)
                approved_at[slug_of[article]] = time.time()
            await asyncio.sleep(5)
            after = (await http.get("/health/realtime")).json()
            rss_after = rss_kib(server.process.pid)
        deliveries: dict[int, list[tuple[float, str]]] = {}
        for pipe in pipes:
            pipe.send("report")
            deliveries.update(await asyncio.to_thread(pipe.recv))
        for process in processes:
            process.join(timeout=60)
        expected = await expected_deliveries(sessions, subscribers, set(approved_at))
    finally:
        server.stop()
        await engine.dispose()

    latencies, lost, duplicates, last_at = [], 0, 0, first_approval
    for number in range(subscribers):
        got = deliveries.get(number, [])
        slugs = [slug for _, slug in got]
        duplicates += len(slugs) - len(set(slugs))
        lost += len(expected[number] - set(slugs))
        for at, slug in got:
            if slug in approved_at:
                latencies.append(max(0.0, at - approved_at[slug]))
                last_at = max(last_at, at)
    latencies.sort()
    total = len(latencies)
    events = len(articles)
    return {
        "subscribers": subscribers,
        "connect_s": round(connect_seconds, 1),
        "events": events,
        "deliveries": total,
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (total - 1))], 1) if latencies else None,
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "deliveries_per_s": round(total / max(last_at - first_approval, 1e-9)),
        "lost": lost,
        "duplicates": duplicates,
        "sql_per_event": round((after["sqlStatements"] - before["sqlStatements"]) / events, 2),
        "kib_per_idle_subscriber": round((rss_idle - rss_before) / subscribers, 1),
        "rss_mib": [round(rss_before / 1024), round(rss_idle / 1024), round(rss_after / 1024)],
    }


async def expected_deliveries(
    sessions: async_sessionmaker[Any], subscribers: int, slugs: set[str]
) -> dict[int, set[str]]:
    async with sessions() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT o.id, o.txid::text::bigint AS txid, o.kind, o.entity_type, "
                    "o.entity_id, "
                    "o.agency_id, o.region_codes, o.payload, o.created_at, a.slug AS article_slug, "
                    "g.slug AS agency_slug FROM outbox o JOIN articles a ON a.id = o.entity_id "
                    "JOIN agencies g ON g.id = o.agency_id"
                )
            )
        ).all()
    changes = [
        (Change.from_row(row), row.article_slug, row.agency_slug)
        for row in rows
        if row.article_slug in slugs
    ]
    agency_ids = {row.agency_slug: row.agency_id for row in rows}
    expected: dict[int, set[str]] = {}
    for number in range(subscribers):
        given = subscriber_filter(number)
        wanted = ArticleFilter(
            region_code=given.get("regionCode"),
            agency_id=agency_ids.get(given["agencySlug"], -1) if "agencySlug" in given else None,
            agency_type=given.get("agencyType"),
            stage_code=given.get("stageCode"),
            tag_slug=given.get("tagSlug"),
        )
        expected[number] = {slug for change, slug, _ in changes if wanted.matches(change)}
    return expected


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", default="1000,5000,10000")
    parser.add_argument("--events", type=int, default=60, help="articles approved per run")
    parser.add_argument("--rate", type=float, default=4.0, help="approvals per second")
    args = parser.parse_args()
    counts = [int(n) for n in args.subscribers.split(",")]

    configured = os.environ.get("HUB_DATABASE_URL")
    embedded, folder = None, None
    if configured:
        base = normalise_database_url(configured)
    else:
        folder = new_shared_folder("hub-bench-")
        embedded = EmbeddedPostgres(folder)
        base = embedded.start()
    results = []
    try:
        for count in counts:
            name = f"hub_bench_live_{os.getpid()}_{count}"
            admin = await asyncpg.connect(**asyncpg_arguments(base))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            url = make_url(base).set(database=name).render_as_string(hide_password=False)
            try:
                articles = await prepare_database(url, args.events)
                result = await run_once(url, count, articles, args.rate)
                results.append(result)
                print(json.dumps(result), flush=True)
            finally:
                admin = await asyncpg.connect(**asyncpg_arguments(base))
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()
    finally:
        if embedded is not None:
            embedded.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print("subscribers  p50 ms  p99 ms  max ms  deliveries/s  lost  dup  SQL/event  KiB/idle sub")
    for r in results:
        print(
            f"{r['subscribers']:>11}  {r['p50_ms']:>6}  {r['p99_ms']:>6}  {r['max_ms']:>6}  "
            f"{r['deliveries_per_s']:>12}  {r['lost']:>4}  {r['duplicates']:>3}  "
            f"{r['sql_per_event']:>9}  {r['kib_per_idle_subscriber']:>12}"
        )
    return 0 if all(r["lost"] == 0 and r["duplicates"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
