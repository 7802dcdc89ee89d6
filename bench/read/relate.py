"""What relating one article costs on the read benchmark's dataset, early and late in the archive.

For ``--samples`` published articles spread over the archive's time range (by tenths of it),
runs what approval runs for related coverage (``related_coverage.relate``: the candidates
around the article's original date, their similarity, the edges both ways) in a transaction
that is rolled back, and prints per tenth: the articles published within the window, the
candidates examined (sharing one of their key terms, or the event), and the time
p50/p90 (medians of ``--runs`` runs). The cost follows what is published around an article's
date, not the size of the archive: the first and last tenths show it.

Usage: python -m bench.read.relate [--url ...] [--samples 200] [--runs 3]
Needs the dataset of ``bench.read.generate`` (indexed) in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.read.generate import DEFAULT_URL
from hub.db.repositories import related_coverage
from hub.settings import normalise_database_url

TENTHS = 10
SAMPLES = text("""
SELECT article_id, published_at, ntile(:tenths) OVER (ORDER BY published_at) AS tenth
FROM article_signatures TABLESAMPLE BERNOULLI (5) REPEATABLE (2024)
""")
WINDOW = text("""
SELECT count(*) AS window,
       count(*) FILTER (WHERE s.terms[1:CAST(:key_terms AS integer)]
                              && me.terms[1:CAST(:key_terms AS integer)]
                        OR s.event_id = me.event_id) AS candidates
FROM article_signatures AS me
JOIN article_signatures AS s
  ON s.published_at BETWEEN me.published_at - CAST(:window AS interval)
                        AND me.published_at + CAST(:window AS interval)
WHERE me.article_id = :article_id
""")


async def measure(url: str, samples: int, runs: int) -> None:
    engine = create_async_engine(normalise_database_url(url))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session:
            rows = (await session.execute(SAMPLES, {"tenths": TENTHS})).all()
            total = await session.scalar(text("SELECT count(*) FROM article_signatures"))
        per_tenth = max(1, samples // TENTHS)
        chosen: dict[int, list[int]] = {}
        for row in rows:
            group = chosen.setdefault(row.tenth, [])
            if len(group) < per_tenth:
                group.append(row.article_id)
        print(
            f"{total} indexed articles; {per_tenth} articles per tenth of the archive, "
            f"median of {runs} runs"
        )
        print(f"{'tenth':>5} {'in window':>9} {'candidates':>10} {'p50 ms':>7} {'p90 ms':>7}")
        for tenth in sorted(chosen):
            ids = chosen[tenth]
            timings: list[list[float]] = [[] for _ in ids]
            sizes = []
            async with sessions() as session:
                for article_id in ids:
                    counted = (
                        await session.execute(
                            WINDOW,
                            {
                                "article_id": article_id,
                                "window": related_coverage.WINDOW,
                                "key_terms": related_coverage.KEY_TERMS,
                            },
                        )
                    ).one()
                    sizes.append((counted.window, counted.candidates))
                    await session.rollback()
                for _ in range(runs):
                    for index, article_id in enumerate(ids):
                        started = time.perf_counter()
                        await related_coverage.relate(session, article_id=article_id)
                        timings[index].append(time.perf_counter() - started)
                        await session.rollback()  # the dataset stays as it is
            each = sorted(statistics.median(times) * 1000 for times in timings)
            print(
                f"{tenth:>5} {statistics.median(s[0] for s in sizes):>9.0f} "
                f"{statistics.median(s[1] for s in sizes):>10.0f} "
                f"{each[len(each) // 2]:>7.1f} {each[int(len(each) * 0.9)]:>7.1f}"
            )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("HUB_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.url, arguments.samples, arguments.runs))


if __name__ == "__main__":
    main()
