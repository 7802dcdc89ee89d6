"""What the worst query an anonymous client may still send costs one `hub serve` process, on
the read benchmark's dataset (200k articles, ``HUB_BENCH_DATABASE_URL``, default the local
``hub_bench``; only read), in production mode with the default limits.

For each candidate — the costliest shapes that fit the anonymous budget (nested connections,
aliases, plain lists, related coverage, search) — it prints the cost the server reported, the
outcome, and the medians over ``--runs`` runs of the server process's CPU seconds and the wall
time; the floor is a plain first page of the feed (the mean of 50 requests: one takes less
than a clock tick of CPU), and each row gives its ratio to it. Then the refusals: the three-level nested query's cost and outcome, 31
aliases, 10,000 aliases, 40 nested levels, a 50 MB body. Quotas are lifted so the runs are
not refused for repeating themselves.

    make bench-abuse                    # python -m bench.abuse --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from typing import Any

import httpx

from bench.read.generate import DEFAULT_URL
from bench.throttle import NO_QUOTAS, cpu_seconds
from tests.servers import ServerProcess, clean_env

BODY = "slug title summary body publishedAt"
FLOOR = "{ articles(first: 20) { nodes { slug title } } }"
CANDIDATES = {
    "nested connections": (
        "{ articles(first: 100) { nodes { " + BODY + " agency { name articles(first: 48) { "
        "nodes { " + BODY + " } } } } } }"
    ),
    "30 aliases": "{ "
    + " ".join(
        f'a{n}: articles(first: 83, filter: {{publishedBefore: "20{10 + n % 15}-01-01T00:00:00Z"}})'
        f" {{ nodes {{ {BODY} agency {{ name }} }} }}"
        for n in range(30)
    )
    + " }",
    "plain lists": (
        "{ articles(first: 98) { nodes { slug tags { label } regions { code name } "
        "electionStages { code name } people { quote person { name } } } } }"
    ),
    "related coverage": (
        "{ articles(first: 100) { nodes { slug relatedCoverage(first: 48) { edges { score "
        "node { slug title } } } } } }"
    ),
    "24 searches": "{ "
    + " ".join(
        f'a{n}: articles(search: "{word}", first: 100) {{ edges {{ highlight {{ title snippet }} '
        "node { slug title } } }"
        for n, word in enumerate(
            [
                "pemilu",
                "bawaslu",
                "kpu",
                "pilkada",
                "debat",
                "kampanye",
                "logistik",
                "rekapitulasi",
                "pemungutan",
                "suara",
                "gubernur",
                "bupati",
                "wali kota",
                "sosialisasi",
                "relawan",
                "pengawas",
                "daftar pemilih",
                "tps",
                "hoaks",
                "netralitas",
                "asn",
                "diskominfo",
                "forum",
                "bakohumas",
            ]
        )
    )
    + " }",
}
NESTED = """{ articles(first: 100) { nodes { agency { articles(first: 100) { nodes { agency {
  articles(first: 100) { nodes { slug } } } } } } } } }"""


def deep(levels: int) -> str:
    inner = "parent { " * (levels - 2) + "name" + " }" * (levels - 2)
    return '{ region(code: "64.71") { ' + inner + " } }"


REFUSALS = {
    "three-level nested query": NESTED,
    "31 aliases": "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }",
    "10,000 aliases": "{ " + " ".join(f"a{n}: __typename" for n in range(10_000)) + " }",
    "40 nested levels": deep(40),
    "10 nested levels (the limit)": deep(10),
}


def summary(body: dict[str, Any]) -> tuple[str, Any]:
    errors = body.get("errors") or []
    if errors:
        codes = sorted({str(error.get("extensions", {}).get("code")) for error in errors})
        return "refused " + ",".join(codes), errors[0].get("extensions", {}).get("cost")
    return "ok", body.get("extensions", {}).get("cost", {}).get("requested")


async def measure(
    http: httpx.AsyncClient, pid: int, query: str, runs: int
) -> tuple[str, Any, float, float, float]:
    """Medians of CPU and wall seconds over ``runs``, and the slowest answer another client
    got meanwhile to ``{ __typename }`` (sent every 20 ms): how long the process was
    unresponsive."""
    cpu, wall, stalls = [], [], []
    outcome, cost = "", None
    for _ in range(runs):
        before, started = cpu_seconds(pid), time.perf_counter()
        probing = asyncio.create_task(probe(str(http.base_url)))
        response = await http.post("/graphql", json={"query": query})
        wall.append(time.perf_counter() - started)
        cpu.append(cpu_seconds(pid) - before)
        probing.cancel()
        stalls.append(await probing)
        outcome, cost = summary(response.json())
    return outcome, cost, statistics.median(cpu), statistics.median(wall), max(stalls)


async def probe(url: str) -> float:
    """Ask ``{ __typename }`` every 20 ms until cancelled; the slowest answer's seconds."""
    slowest = 0.0
    async with httpx.AsyncClient(base_url=url, timeout=120) as other:
        try:
            while True:
                started = time.perf_counter()
                await other.post("/graphql", json={"query": "{ __typename }"})
                slowest = max(slowest, time.perf_counter() - started)
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            return slowest


async def batch(http: httpx.AsyncClient, pid: int, query: str, times: int) -> tuple[float, float]:
    """Mean CPU seconds and wall seconds of ``times`` requests one after the other."""
    before, started = cpu_seconds(pid), time.perf_counter()
    for _ in range(times):
        await http.post("/graphql", json={"query": query})
    return (cpu_seconds(pid) - before) / times, (time.perf_counter() - started) / times


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=os.environ.get("HUB_BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    print(f"load at the start: {os.getloadavg()}", flush=True)
    server = ServerProcess(
        clean_env(
            HUB_DATABASE_URL=args.url,
            HUB_AUTO_MIGRATE="false",
            HUB_DEMO_ON_FIRST_START="false",
            HUB_ENVIRONMENT="production",
            HUB_SECRET_KEY=secrets.token_urlsafe(48),
            HUB_LOG_LEVEL="warning",
            **NO_QUOTAS,
        )
    )
    try:
        await server.ready()
        pid = server.process.pid
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
            for query in (FLOOR, *CANDIDATES.values()):  # warm: plans, caches, pages
                await http.post("/graphql", json={"query": query})
            # A first page takes less than a clock tick of CPU: timed as one batch of 50.
            floor_cpu, floor_wall = await batch(http, pid, FLOOR, 50)
            print(
                f"{'query':<22} {'outcome':<26} {'cost':>9} {'cpu s':>7} {'wall s':>7} {'x floor':>8}"
                f" {'stall s':>8}"
            )
            print(
                f"{'floor (first page)':<22} {'ok':<26} {20:>9} {floor_cpu:>7.3f} {floor_wall:>7.3f} {1:>8}"
            )
            worst = 0.0
            for name, query in CANDIDATES.items():
                outcome, cost, cpu, wall, stall = await measure(http, pid, query, args.runs)
                ratio = cpu / floor_cpu if floor_cpu else float("inf")
                print(
                    f"{name:<22} {outcome:<26} {cost!s:>9} {cpu:>7.3f} {wall:>7.3f} {ratio:>8.1f}"
                    f" {stall:>8.3f}"
                )
                worst = max(worst, cpu if outcome == "ok" else 0.0)
            print(f"worst accepted anonymous query: {worst:.3f} s of server CPU (bound: 1 s)")
            for name, query in REFUSALS.items():
                outcome, cost, cpu, wall, _ = await measure(http, pid, query, 1)
                print(
                    f"{name:<30} {outcome:<26} cost {cost!s:>9} cpu {cpu:.3f} s wall {wall:.3f} s"
                )
            big = await http.post(
                "/graphql",
                content=b'{"query": "' + b" " * 50_000_000 + b'{ __typename }"}',
                headers={"Content-Type": "application/json"},
            )
            print(f"{'50 MB body':<30} HTTP {big.status_code} {summary(big.json())[0]}")
    finally:
        if server.process.poll() is None:
            server.kill()
    print(f"load at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
