"""Live updates under load: N real WebSocket subscribers on one `hub serve` process.

For each N (default 1000, 5000, 10000) and each of ``--runs`` runs: start a server, connect
N subscribers with a mix of filters (province, agency type, stage, tag, agency, none) from
client processes (``bench/subscribers.py``: minimal clients, cheap on CPU), measure the
server's memory per idle subscriber, then have an editor approve articles through the
``approveArticle`` mutation at a steady rate. Per run, and as medians over the runs:

- approve->delivery latency p50/p99/max: from the approval's commit (PostgreSQL's commit
  timestamp; the embedded server is started with ``track_commit_timestamp``) to a
  subscriber receiving the event; and the same from sending ``approveArticle`` (so
  including the approval request, whose own p99 is shown too);
- deliveries per second; events lost and duplicated (expected deliveries are computed from
  the outbox with the subscriptions' filter semantics): both must be 0;
- SQL statements per approval: the live service's (outbox reads and payload rendering;
  independent of N) and all of the server's (with the approval mutation);
- server memory per idle subscriber;
- CPU seconds used during the approvals by the server, by the client processes and by this
  process, and how busy the whole machine was (other work on it shows up there).

    make bench-live                          # or: python -m bench.live --subscribers 1000,5000
    HUB_DATABASE_URL=postgresql://... make bench-live   # an external server; else embedded
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench import subscribers as clients
from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres
from hub.db.provision import seed
from hub.db.session import asyncpg_arguments
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter
from hub.settings import normalise_database_url
from hub.vocabulary import MemberRole
from tests.factories import add_account, add_article, ensure_agency, login, settings_for
from tests.helpers import GraphQLClient, free_port
from tests.postgres import new_shared_folder
from tests.servers import ServerProcess, clean_env

QUERY = (
    "subscription($filter: ArticleLiveFilter) { articlePublished(filter: $filter) "
    "{ cursor kind article { slug title publishedAt agency { name } } } }"
)
APPROVE = """
mutation ($slug: String!) {
  approveArticle(input: {slug: $slug, version: 2}) { errors { code message } }
}
"""
PROVINCES = ["11", "12", "31", "32", "33", "35", "51", "61", "64", "73"]
AGENCY_TYPES = ["diskominfo_provinsi", "kpu", "bawaslu", "humas_polda", "media_massa"]
STAGES = ["kampanye", "masa_tenang", "pemungutan_suara", "penghitungan_suara", "rekapitulasi"]
TAGS = ["pemilu-2024", "debat", "logistik", "hoaks", "partisipasi"]
AGENCIES = [f"bench-agency-{n}" for n in range(20)]
EDITOR = "redaktur@bench.go.id"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
        return {"agencySlug": pick.choice(AGENCIES)}
    return {}


# -- measuring processes ---------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


class CpuMeter:
    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self.start = self.sample()

    def sample(self) -> dict[str, float]:
        found = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}
        found["machine_busy"], found["machine_total"] = machine_busy()
        found["wall"] = time.monotonic()
        return found

    def used(self) -> dict[str, float]:
        end = self.sample()
        return {name: end[name] - self.start[name] for name in end}


# -- preparing -------------------------------------------------------------------------------


async def prepare_database(url: str, articles: int) -> list[str]:
    await asyncio.to_thread(migrations.upgrade, url)
    await seed(url, demo=False)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    pick = random.Random(1)
    for n, slug in enumerate(AGENCIES):
        await ensure_agency(
            sessions,
            slug=slug,
            type_code=AGENCY_TYPES[n % len(AGENCY_TYPES)],
            region_code=PROVINCES[n % len(PROVINCES)],
        )
    await add_account(
        sessions,
        settings_for(url, Path("/nonexistent")),
        EDITOR,
        roles=dict.fromkeys(AGENCIES, MemberRole.EDITOR),
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
    slugs = []
    for number in range(articles):
        province = pick.choice(PROVINCES)
        slug = f"berita-pengukuran-{number}"
        await add_article(
            sessions,
            agency_slug=pick.choice(AGENCIES),
            slug=slug,
            regions=[pick.choice(regencies[province])],
            stages=pick.sample(STAGES, pick.randint(1, 2)),
            tags=pick.sample(TAGS, pick.randint(1, 2)),
            body="<p>" + "Isi berita untuk pengukuran. " * 40 + "</p>",
        )
        slugs.append(slug)
    await engine.dispose()
    return slugs


# -- one run ---------------------------------------------------------------------------------


async def approve_steadily(
    gql: GraphQLClient, headers: dict[str, str], slugs: list[str], rate: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Each approval sent at its due time (start + n / rate), whatever the others take;
    returns when each was sent and when its answer came back (after its commit)."""
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    start = time.time() + 0.2

    async def approve(number: int, slug: str) -> None:
        await asyncio.sleep(max(0.0, start + number / rate - time.time()))
        sent[slug] = time.time()
        data = await gql(APPROVE, {"slug": slug}, headers=headers)
        answered[slug] = time.time()
        assert data["approveArticle"]["errors"] == [], data

    await asyncio.gather(*(approve(n, slug) for n, slug in enumerate(slugs)))
    return sent, answered


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max of ``values`` (seconds), in milliseconds."""
    ordered = sorted(values)
    return (
        round(1000 * statistics.median(ordered), 1),
        round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1),
        round(1000 * ordered[-1], 1),
    )


COMMITTED = """
SELECT a.slug, extract(epoch FROM pg_xact_commit_timestamp(
         (o.txid::text::bigint % 4294967296)::text::xid)) AS at
FROM outbox o JOIN articles a ON a.id = o.entity_id
WHERE o.kind = 'article.approved'
"""


async def commit_times(sessions: async_sessionmaker[Any]) -> dict[str, float] | None:
    """When each approval committed; ``None`` if the server does not track commit times."""
    async with sessions() as session:
        if await session.scalar(text("SHOW track_commit_timestamp")) != "on":
            return None
        return {slug: float(at) for slug, at in await session.execute(text(COMMITTED))}


async def track_commit_times(server: EmbeddedPostgres) -> str:
    """Restart the (bench's own) embedded server with commit timestamps on."""
    admin = await asyncpg.connect(**asyncpg_arguments(server.url()))
    try:
        await admin.execute("ALTER SYSTEM SET track_commit_timestamp = on")
    finally:
        await admin.close()
    server.stop()
    return server.start()


async def settled(http: httpx.AsyncClient, seconds: float = 60) -> dict[str, Any]:
    """The server's live statistics once deliveries stopped growing."""
    last = (await http.get("/health/realtime")).json()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = (await http.get("/health/realtime")).json()
        if now["deliveries"] == last["deliveries"] and now["changesRead"] == last["changesRead"]:
            return dict(now)
        last = now
    return dict(last)


def start_profiler(folder: Path | None, pid: int, subscribers: int) -> Any:
    """``py-spy record`` of the server while it delivers (``--profile``), if wanted."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"server-{subscribers}-{pid}.txt"
    command = ["py-spy", "record", "-p", str(pid), "-f", "raw", "-r", "250", "-o", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(profiler: Any) -> None:
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)


async def run_once(
    url: str,
    subscribers: int,
    slugs: list[str],
    rate: float,
    processes: int,
    profile: Path | None = None,
) -> dict[str, Any]:
    env = clean_env(
        HUB_DATABASE_URL=url,
        HUB_AUTO_MIGRATE="false",
        HUB_LOG_LEVEL="warning",
        # Every subscriber connects from this machine's address: no per-address or
        # per-process cap on WebSockets for the benchmark.
        HUB_WS_MAX_PER_ADDRESS="0",
        HUB_WS_MAX_PER_PROCESS="0",
    )
    server = ServerProcess(env, port=free_port())
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    context = multiprocessing.get_context("spawn")
    pipes, children = [], []
    try:
        await server.ready()
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            gql = GraphQLClient(http)
            headers = {"Authorization": f"Bearer {(await login(gql, EDITOR))['accessToken']}"}
            await asyncio.sleep(1)
            rss_before = rss_kib(server.process.pid)
            for part in range(processes):
                mine, theirs = context.Pipe()
                variables = {
                    n: {"filter": subscriber_filter(n) or None}
                    for n in range(part, subscribers, processes)
                }
                child = context.Process(
                    target=clients.run, args=(server.ws_url, variables, QUERY, theirs)
                )
                child.start()
                pipes.append(mine)
                children.append(child)
            started = time.monotonic()
            for pipe in pipes:
                answer = await asyncio.to_thread(pipe.recv)
                assert answer == "connected", answer
            connect_seconds = time.monotonic() - started
            await asyncio.sleep(3)
            before = (await http.get("/health/realtime")).json()
            assert before["subscribers"] == subscribers, before
            rss_idle = rss_kib(server.process.pid)

            profiler = start_profiler(profile, server.process.pid, subscribers)
            meter = CpuMeter(
                {
                    "server": [server.process.pid],
                    "clients": [child.pid for child in children if child.pid is not None],
                    "approver": [os.getpid()],
                }
            )
            sent, answered = await approve_steadily(gql, headers, slugs, rate)
            after = await settled(http)
            cpu = meter.used()
            stop_profiler(profiler)
        deliveries: dict[int, list[tuple[float, str]]] = {}
        other: list[str] = []
        for pipe in pipes:
            pipe.send("report")
            reported = await asyncio.to_thread(pipe.recv)
            deliveries.update(reported["deliveries"])
            other.extend(reported["other"])
        for child in children:
            child.join(timeout=60)
        expected = await expected_deliveries(sessions, subscribers, set(sent))
        committed = await commit_times(sessions)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
        server.stop()
        await engine.dispose()

    latencies, after_sending, lost, duplicates = [], [], 0, 0
    last_at = min(sent.values())
    for number in range(subscribers):
        got = [(at, slug) for at, slug in deliveries.get(number, []) if slug in sent]
        received = [slug for _, slug in got]
        duplicates += len(received) - len(set(received))
        lost += len(expected[number] - set(received))
        for at, slug in got:
            if committed is not None:
                latencies.append(max(0.0, at - committed[slug]))
            after_sending.append(at - sent[slug])
            last_at = max(last_at, at)
    total = len(after_sending)
    events = len(slugs)
    busy = cpu["server"] + cpu["clients"]
    p50, p99, worst = percentiles(latencies) if latencies else (None, None, None)
    return {
        "subscribers": subscribers,
        "connect_s": round(connect_seconds, 1),
        "events": events,
        "deliveries": total,
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": worst,
        "from_sending_ms": percentiles(after_sending),
        "approval_ms": percentiles([answered[slug] - sent[slug] for slug in sent]),
        "deliveries_per_s": round(total / max(last_at - min(sent.values()), 1e-9)),
        "lost": lost,
        "duplicates": duplicates,
        "other_messages": other[:5],
        "live_sql_per_event": round(
            (after["liveSqlStatements"] - before["liveSqlStatements"]) / events, 2
        ),
        "sql_per_event": round((after["sqlStatements"] - before["sqlStatements"]) / events, 2),
        "kib_per_idle_subscriber": round((rss_idle - rss_before) / subscribers, 1),
        "rss_mib": [round(rss_before / 1024), round(rss_idle / 1024)],
        "cpu_s": {name: round(cpu[name], 2) for name in ("server", "clients", "approver")},
        "client_cpu_share": round(cpu["clients"] / busy, 3) if busy else None,
        "machine_busy": round(cpu["machine_busy"] / cpu["machine_total"], 2),
        "seconds": round(cpu["wall"], 1),
    }


async def article_changes(sessions: async_sessionmaker[Any]) -> list[Any]:
    """The outbox's article rows in stream order, with the article's and agency's slugs."""
    async with sessions() as session:
        return list(
            (
                await session.execute(
                    text(
                        "SELECT o.id, o.txid::text::bigint AS txid, o.kind, o.entity_type, "
                        "o.entity_id, o.agency_id, o.region_codes, o.payload, o.created_at, "
                        "a.slug AS article_slug, g.slug AS agency_slug "
                        "FROM outbox o JOIN articles a ON a.id = o.entity_id "
                        "JOIN agencies g ON g.id = o.agency_id ORDER BY o.txid, o.id"
                    )
                )
            ).all()
        )


async def expected_deliveries(
    sessions: async_sessionmaker[Any], subscribers: int, slugs: set[str]
) -> dict[int, set[str]]:
    rows = await article_changes(sessions)
    changes = [
        (Change.from_row(row), row.article_slug) for row in rows if row.article_slug in slugs
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
        expected[number] = {slug for change, slug in changes if wanted.matches(change)}
    return expected


# -- the whole benchmark ---------------------------------------------------------------------

FIGURES = [
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("max_ms", "max ms"),
    ("from_sending_p99_ms", "p99 from send"),
    ("approval_p99_ms", "approval p99"),
    ("deliveries_per_s", "deliv/s"),
    ("lost", "lost"),
    ("duplicates", "dup"),
    ("live_sql_per_event", "live SQL/ev"),
    ("sql_per_event", "SQL/ev"),
    ("kib_per_idle_subscriber", "KiB/sub"),
    ("client_cpu_share", "client CPU"),
    ("machine_busy", "machine busy"),
]


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    for result in results:
        result["from_sending_p99_ms"] = result["from_sending_ms"][1]
        result["approval_p99_ms"] = result["approval_ms"][1]
    summary: dict[str, Any] = {"subscribers": results[0]["subscribers"], "runs": len(results)}
    for key, _ in FIGURES:
        values = [r[key] for r in results if r[key] is not None]
        summary[key] = round(statistics.median(values), 3) if values else None
    summary["lost"] = sum(r["lost"] for r in results)  # totals: every run must lose nothing
    summary["duplicates"] = sum(r["duplicates"] for r in results)
    for name in ("server", "clients"):
        summary[f"{name}_cpu_per_s"] = round(
            statistics.median(r["cpu_s"][name] / r["seconds"] for r in results), 2
        )
    return summary


async def create_database(base: str, name: str) -> str:
    admin = await asyncpg.connect(**asyncpg_arguments(base))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


async def drop_database(base: str, name: str) -> None:
    admin = await asyncpg.connect(**asyncpg_arguments(base))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def database_server() -> AsyncIterator[str]:
    """The PostgreSQL server to measure on: ``HUB_DATABASE_URL``'s, or an embedded one of
    the benchmark's own (commit timestamps on), removed afterwards."""
    configured = os.environ.get("HUB_DATABASE_URL")
    if configured:
        yield normalise_database_url(configured)
        return
    folder = new_shared_folder("hub-bench-")
    embedded = EmbeddedPostgres(folder)
    try:
        embedded.start()
        yield await track_commit_times(embedded)
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def scratch_database(base: str, name: str) -> AsyncIterator[str]:
    """A new database ``name`` on the server at ``base``, dropped afterwards."""
    url = await create_database(base, name)
    try:
        yield url
    finally:
        await drop_database(base, name)


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", default="1000,5000,10000")
    parser.add_argument("--events", type=int, default=60, help="articles approved per run")
    parser.add_argument("--rate", type=float, default=4.0, help="approvals per second")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (medians reported)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the server while delivering"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.subscribers.split(",")]

    summaries = []
    async with database_server() as base:
        for count in counts:
            async with scratch_database(base, f"hub_bench_live_{os.getpid()}_{count}") as url:
                slugs = await prepare_database(url, args.events * args.runs)
                results = []
                for run in range(args.runs):
                    mine = slugs[run * args.events : (run + 1) * args.events]
                    result = await run_once(
                        url, count, mine, args.rate, args.client_processes, args.profile
                    )
                    results.append(result)
                    print(json.dumps(result), flush=True)
                summaries.append(medians(results))
    print()
    print(f"medians of {args.runs} runs; {args.events} approvals at {args.rate}/s each run")
    header = ["subscribers", *(label for _, label in FIGURES), "server CPU/s", "clients CPU/s"]
    print("  ".join(f"{h:>12}" for h in header))
    for summary in summaries:
        row = [
            summary["subscribers"],
            *(summary[key] for key, _ in FIGURES),
            summary["server_cpu_per_s"],
            summary["clients_cpu_per_s"],
        ]
        print("  ".join(f"{value!s:>12}" for value in row))
    return 0 if all(s["lost"] == 0 and s["duplicates"] == 0 for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
