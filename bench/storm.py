"""A restart under load: N subscribers come back at once to one `hub serve` process.

For each N (default 2,000, 5,000, 10,000), without and with jitter, and each of ``--runs``
runs: start server A and an approving server B; connect N subscribers to A from client
processes (:mod:`bench.storm_clients`) with the live benchmark's mix of filters; approve
articles through B at a steady rate the whole time; after ``--before`` seconds send A
SIGTERM (each subscriber gets 1012 and a suggested delay), keep it down ``--outage``
seconds, start it again and, the moment it is ready, have every subscriber reconnect and
resume with ``after: <its last cursor>`` — all at once, or (jitter) each after the delay
its close frame named. Figures, from the moment the restarted process is ready:

- all resubscribed: every subscription acknowledged again (client side), and resubscribes
  per second; every missed event delivered: the last event committed before the restart
  reached every subscriber that missed it;
- live p99 (and max) for approvals committed in the first 30 s after the restart, from
  commit to arrival at the subscribers already back by then; next to it the steady state
  before the shutdown;
- SQL statements of the restarted process for the storm (ready → everything delivered),
  per resume; catch-up groups; CPU per resume (ms);
- peak memory (VmHWM) of the restarted process against the idle figure of the first one
  with the same N subscribers;
- health: the slowest answer of ``/health/live`` on the health port during the storm and
  probes that got none within 2 s; connection resets and handshake timeouts seen by the
  clients, and refusals by admission control;
- lost, duplicated and out-of-order deliveries over the whole run (all must be 0).

    make bench-storm                                   # ~30 minutes on 2 cores
    python -m bench.storm --subscribers 500 --runs 1   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench import storm_clients as clients
from bench.live import (
    EDITOR,
    approve_steadily,
    article_changes,
    commit_times,
    cpu_seconds,
    database_server,
    percentiles,
    prepare_database,
    rss_kib,
    scratch_database,
    subscriber_filter,
)
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter
from tests.factories import login
from tests.helpers import GraphQLClient, free_port
from tests.servers import ServerProcess, clean_env

QUERY = (
    "subscription($filter: ArticleLiveFilter, $after: String) { articlePublished("
    "filter: $filter, after: $after) { cursor kind article { slug title publishedAt "
    "agency { name } } } }"
)
LIVE_WINDOW = 30.0  # seconds after the restart whose approvals count as "live in the storm"
PROBE_EVERY = 0.05
PROBE_TIMEOUT = 2.0
SAMPLE_EVERY = 0.1


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


class Watch:
    """While the storm lasts: probe the health port, sample the server's figures and CPU."""

    def __init__(self, pid: int, health: str) -> None:
        self.pid = pid
        self.health = health
        self.probes: list[tuple[float, float | None]] = []  # (sent, seconds or None)
        self.samples: list[tuple[float, float, dict[str, Any]]] = []  # (at, cpu, figures)
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.health, timeout=PROBE_TIMEOUT) as http:
            await asyncio.gather(self._probe(http), self._sample(http))

    async def _probe(self, http: httpx.AsyncClient) -> None:
        while not self.stopped.is_set():
            sent = time.monotonic()
            try:
                answered = (await http.get("/health/live")).status_code == 200
            except httpx.HTTPError:
                answered = False
            took = time.monotonic() - sent
            self.probes.append((time.time(), took if answered else None))
            await asyncio.sleep(max(0.0, PROBE_EVERY - took))

    async def _sample(self, http: httpx.AsyncClient) -> None:
        while not self.stopped.is_set():
            try:
                figures = (await http.get("/health/realtime")).json()
                self.samples.append((time.time(), cpu_seconds(self.pid), figures))
            except httpx.HTTPError:
                pass
            await asyncio.sleep(SAMPLE_EVERY)

    def at(self, moment: float) -> tuple[float, dict[str, Any]]:
        """CPU and figures of the first sample at or after ``moment`` (else the last)."""
        for at, cpu, figures in self.samples:
            if at >= moment:
                return cpu, figures
        _, cpu, figures = self.samples[-1]
        return cpu, figures


def wanted_by(number: int, agency_ids: dict[str, int]) -> ArticleFilter:
    given = subscriber_filter(number)
    return ArticleFilter(
        region_code=given.get("regionCode"),
        agency_id=agency_ids.get(given["agencySlug"], -1) if "agencySlug" in given else None,
        agency_type=given.get("agencyType"),
        stage_code=given.get("stageCode"),
        tag_slug=given.get("tagSlug"),
    )


async def run_once(
    url: str,
    subscribers: int,
    slugs: list[str],
    *,
    jitter: bool,
    args: argparse.Namespace,
) -> dict[str, Any]:
    health_port = free_port()
    common = {
        "HUB_DATABASE_URL": url,
        "HUB_AUTO_MIGRATE": "false",
        "HUB_LOG_LEVEL": "warning",
        # Every subscriber connects from this machine's address: no cap on WebSockets.
        "HUB_WS_MAX_PER_ADDRESS": "0",
        "HUB_WS_MAX_PER_PROCESS": "0",
        "HUB_SHUTDOWN_SPREAD": str(args.spread),
    }
    env = clean_env(**common, HUB_HEALTH_PORT=str(health_port))
    server, approver = ServerProcess(env), ServerProcess(clean_env(**common))
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    context = multiprocessing.get_context("spawn")
    pipes, children = [], []
    watch: Watch | None = None
    try:
        await server.ready()
        await approver.ready()
        async with httpx.AsyncClient(base_url=approver.url, timeout=60) as http:
            gql = GraphQLClient(http)
            headers = {"Authorization": f"Bearer {(await login(gql, EDITOR))['accessToken']}"}
            # Every subscriber holds a cursor from the start, as a client that must miss
            # nothing does.
            start = (await gql("{ liveCursor }"))["liveCursor"]
            for part in range(args.client_processes):
                mine, theirs = context.Pipe()
                variables = {
                    n: {"filter": subscriber_filter(n) or None, "after": start}
                    for n in range(part, subscribers, args.client_processes)
                }
                child = context.Process(
                    target=clients.run, args=(server.ws_url, variables, QUERY, theirs)
                )
                child.start()
                pipes.append(mine)
                children.append(child)
            for pipe in pipes:
                answer = await asyncio.to_thread(pipe.recv)
                assert answer == "connected", answer
            await asyncio.sleep(2)
            rss_idle = rss_kib(server.process.pid)
            connected_at = time.time()
            approving = asyncio.create_task(approve_steadily(gql, headers, slugs, args.rate))
            await asyncio.sleep(args.before)

            stopped_at = time.time()
            server.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(server.process.wait, 60)
            await asyncio.sleep(max(0.0, stopped_at + args.outage - time.time()))
            server = ServerProcess(env, port=server.port)
            await server.ready()
            ready_at = time.time()
            for pipe in pipes:
                pipe.send(("reconnect", ready_at, jitter))
            watch = Watch(server.process.pid, f"http://127.0.0.1:{health_port}")
            watching = asyncio.create_task(watch.run())
            for pipe in pipes:
                answer = await asyncio.to_thread(pipe.recv)
                assert answer == "reconnected", answer
            sent, answered = await approving
            await asyncio.sleep(3)  # the last approvals arrive
            watch.stopped.set()
            await watching
            peak = peak_kib(server.process.pid)
            rss_after = rss_kib(server.process.pid)
        reports = []
        for pipe in pipes:
            pipe.send("report")
            reports.append(await asyncio.to_thread(pipe.recv))
        for child in children:
            child.join(timeout=60)
        rows = [row for row in await article_changes(sessions) if row.article_slug in sent]
        committed = {slug: at for slug, at in (await commit_times(sessions) or answered).items()
                     if slug in sent}  # fmt: skip
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
        for process in (server, approver):
            if process.process.poll() is None:
                process.stop()
        await engine.dispose()
    assert watch is not None

    agency_ids = {row.agency_slug: row.agency_id for row in rows}
    changes = [(Change.from_row(row), row.article_slug) for row in rows]
    followers: dict[int, Any] = {}
    failures: dict[str, int] = {}
    for report in reports:
        followers.update(report["followers"])
        for kind, count in report["failures"].items():
            failures[kind] = failures.get(kind, 0) + count

    lost = duplicates = disorder = 0
    missed_done, storm_latencies, steady_latencies = ready_at, [], []
    for number in range(subscribers):
        got: list[tuple[float, str]] = []
        for at, raw in followers[number]["messages"]:
            message = json.loads(raw)
            if message.get("type") == "next" and "errors" not in message["payload"]:
                event = message["payload"]["data"]["articlePublished"]
                got.append((at, event["article"]["slug"]))
        wanted = wanted_by(number, agency_ids)
        expected = [slug for change, slug in changes if wanted.matches(change)]
        received = [slug for _, slug in got if slug in committed]
        duplicates += len(received) - len(set(received))
        lost += len(set(expected) - set(received))
        order = {slug: index for index, slug in enumerate(expected)}
        ranks = [order[slug] for slug in received if slug in order]
        disorder += sum(1 for a, b in itertools.pairwise(ranks) if b <= a)
        resumed = followers[number]["resubscribed"] or ready_at
        for at, slug in got:
            if slug not in committed:
                continue
            commit = committed[slug]
            if commit < ready_at and at >= ready_at:
                missed_done = max(missed_done, at)
            elif resumed <= commit < ready_at + LIVE_WINDOW:  # already back: a live event
                storm_latencies.append(at - commit)
            elif connected_at <= commit < stopped_at:
                steady_latencies.append(at - commit)

    resubscribed_at = max(f["resubscribed"] or ready_at for f in followers.values())
    cpu_ready, figures_ready = watch.at(ready_at)
    cpu_done, figures_done = watch.at(missed_done)
    statements = figures_done["sqlStatements"] - figures_ready["sqlStatements"]
    storm_probes = [took for at, took in watch.probes if ready_at <= at <= missed_done + 1]
    answered_probes = [took for took in storm_probes if took is not None]
    _, storm_p99, storm_max = percentiles(storm_latencies) if storm_latencies else (0, 0, 0)
    _, steady_p99, _ = percentiles(steady_latencies) if steady_latencies else (0, 0, 0)
    return {
        "subscribers": subscribers,
        "jitter": jitter,
        "resubscribed_s": round(resubscribed_at - ready_at, 2),
        "delivered_s": round(missed_done - ready_at, 2),
        "live_p99_ms": storm_p99,
        "live_max_ms": storm_max,
        "steady_p99_ms": steady_p99,
        "storm_sql": statements,
        "sql_per_resume": round(statements / subscribers, 3),
        "catch_up_groups": figures_done["catchUpGroups"],
        "outbox_replays": figures_done["outboxReplays"],
        "resubscribes_per_s": round(subscribers / max(resubscribed_at - ready_at, 1e-3)),
        "cpu_ms_per_resume": round(1000 * (cpu_done - cpu_ready) / subscribers, 3),
        "peak_vs_idle": round(peak / rss_idle - 1, 3),
        "rss_mib": [round(rss_idle / 1024), round(peak / 1024), round(rss_after / 1024)],
        "health_max_ms": round(1000 * max(answered_probes, default=0.0), 1),
        "health_unanswered": len(storm_probes) - len(answered_probes),
        "resets": failures.get("reset", 0),
        "timeouts": failures.get("timeout", 0),
        "busy": failures.get("busy", 0),
        "lost": lost,
        "duplicates": duplicates,
        "out_of_order": disorder,
        "missed_events": sum(1 for at in committed.values() if stopped_at <= at < ready_at),
    }


FIGURES = [
    ("resubscribed_s", "resubscribed s"),
    ("delivered_s", "delivered s"),
    ("live_p99_ms", "live p99 ms"),
    ("steady_p99_ms", "(steady)"),
    ("storm_sql", "storm SQL"),
    ("sql_per_resume", "SQL/resume"),
    ("catch_up_groups", "groups"),
    ("resubscribes_per_s", "resub/s"),
    ("cpu_ms_per_resume", "CPU ms/resume"),
    ("peak_vs_idle", "peak/idle-1"),
    ("health_max_ms", "health max ms"),
    ("health_unanswered", "health miss"),
    ("resets", "resets"),
    ("timeouts", "timeouts"),
    ("busy", "busy"),
    ("lost", "lost"),
    ("duplicates", "dup"),
    ("out_of_order", "disorder"),
]
TOTALS = ("health_unanswered", "resets", "timeouts", "lost", "duplicates", "out_of_order")


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "subscribers": results[0]["subscribers"],
        "jitter": results[0]["jitter"],
    }
    for key, _ in FIGURES:
        values = [r[key] for r in results]
        # What must never happen is summed over the runs; the rest is a median.
        summary[key] = sum(values) if key in TOTALS else round(statistics.median(values), 3)
    return summary


def machine_load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", default="2000,5000,10000")
    parser.add_argument("--runs", type=int, default=3, help="runs per size and jitter")
    parser.add_argument("--rate", type=float, default=2.0, help="approvals per second")
    parser.add_argument("--before", type=float, default=10.0, help="seconds before SIGTERM")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds the server is down")
    parser.add_argument("--after", type=float, default=35.0, help="approving after the restart")
    parser.add_argument("--spread", type=float, default=5.0, help="HUB_SHUTDOWN_SPREAD")
    parser.add_argument("--jitter", default="no,yes", help="`no`, `yes` or both")
    parser.add_argument("--client-processes", type=int, default=2)
    args = parser.parse_args()
    counts = [int(n) for n in args.subscribers.split(",")]
    jitters = [value.strip() == "yes" for value in args.jitter.split(",")]
    per_run = int(args.rate * (args.before + args.outage + args.after + 15))

    print(f"load before: {machine_load()}", flush=True)
    summaries = []
    async with database_server() as base:
        for count in counts:
            async with scratch_database(base, f"hub_bench_storm_{os.getpid()}_{count}") as url:
                slugs = await prepare_database(url, per_run * len(jitters) * args.runs)
                for number, jitter in enumerate(jitters):
                    results = []
                    for run in range(args.runs):
                        first = (number * args.runs + run) * per_run
                        mine = slugs[first : first + per_run]
                        result = await run_once(url, count, mine, jitter=jitter, args=args)
                        results.append(result)
                        print(json.dumps(result), flush=True)
                    summaries.append(medians(results))
    print()
    print(
        f"medians of {args.runs} runs (lost/dup/disorder/misses/resets/timeouts: totals); "
        f"{args.outage:g} s outage, approvals at {args.rate:g}/s, "
        f"HUB_SHUTDOWN_SPREAD={args.spread:g}; load after: {machine_load()}"
    )
    header = ["subscribers", "jitter", *(label for _, label in FIGURES)]
    print("  ".join(f"{h:>14}" for h in header))
    for summary in summaries:
        row = [summary["subscribers"], "yes" if summary["jitter"] else "no"]
        row += [summary[key] for key, _ in FIGURES]
        print("  ".join(f"{value!s:>14}" for value in row))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
