"""Search and related-coverage evaluation on the project's own articles (``make eval-search``).

A set is a folder of three JSON Lines files: ``agencies.jsonl`` (slug, name, acronym, type,
region), ``articles.jsonl`` (key, story — the same for every outlet's report of one story, or
null —, agency, published_at, title, summary, body) and ``queries.jsonl`` (query, kind, the
keys of the relevant articles). This folder is the project's set; ``HUB_EVAL_PRIVATE_DIR`` may
name another one (real published articles that stay outside the repository), read at run
time only.

The sets share one fresh database (on ``HUB_EVAL_DATABASE_URL``'s server, else the test
server: ``HUB_TEST_DATABASE_URL`` or an embedded one), migrated and seeded: a private set of a
few articles is judged within the project's corpus, as it would be within a real archive (the
rarity of words is not measured on two articles). The articles are stored as published on their
original dates and indexed as approval indexes them. Then, through the GraphQL API, per set:

- search: every query's first 10 results → recall@5, recall@10 and MRR, per kind and overall;
- related coverage, without event links, then with every story's articles linked to one event
  (re-indexed one by one, as a correction would): precision and recall over the pairs of
  the set's articles with any article (same story, another agency: related; anything else,
  another set's articles included: not).

Prints the tables and the targets; ``--show-misses`` lists what each query missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from hub.app import create_app
from hub.db import migrations
from hub.db.models import Agency, Article, Event
from hub.db.provision import seed
from hub.db.repositories.article_index import index_published_article, index_unindexed
from tests.factories import settings_for
from tests.postgres import DatabaseServer

PROJECT_SET = Path(__file__).resolve().parent
KINDS = ("plain", "number", "abbreviation", "variant", "name", "misspelled")
TARGETS = {
    "search recall@10 overall": ("recall10", None, 0.97),
    "search recall@10 number queries": ("recall10", "number", 1.0),
    "search recall@10 misspelled queries": ("recall10", "misspelled", 0.8),
}
RELATED_TARGETS = {False: (0.95, 0.90), True: (0.98, 0.98)}  # by event links: precision, recall
SEARCH = """query ($q: String!) { articles(search: $q, first: 10) {
  searchedFor { text corrections { typed understood } } edges { node { slug } } } }"""
RELATED = """query ($slug: String!) { article(slug: $slug) {
  relatedCoverage(first: 100) { edges { reason shared node { slug } } } } }"""


@dataclass
class EvalSet:
    name: str
    agencies: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    queries: list[dict[str, Any]]

    @classmethod
    def read(cls, folder: Path, name: str) -> EvalSet:
        def lines(file: str) -> list[dict[str, Any]]:
            text = (folder / file).read_text(encoding="utf-8")
            return [json.loads(line) for line in text.splitlines() if line.strip()]

        return cls(name, lines("agencies.jsonl"), lines("articles.jsonl"), lines("queries.jsonl"))

    def describe(self) -> str:
        stories = {a["story"] for a in self.articles if a["story"]}
        return (
            f"{len(self.articles)} articles ({len(stories)} stories told by several outlets), "
            f"{len(self.queries)} queries"
        )


@dataclass
class QueryResult:
    query: dict[str, Any]
    found: list[str]
    understood: str

    @property
    def relevant(self) -> set[str]:
        return set(self.query["relevant"])

    def recall(self, depth: int) -> float:
        return len(self.relevant & set(self.found[:depth])) / len(self.relevant)

    @property
    def reciprocal_rank(self) -> float:
        for rank, key in enumerate(self.found, start=1):
            if key in self.relevant:
                return 1 / rank
        return 0.0


@dataclass
class RelatedResult:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new migrated, seeded database on the evaluation server; dropped afterwards."""
    configured = os.environ.get("HUB_EVAL_DATABASE_URL")
    if configured:
        os.environ["HUB_TEST_DATABASE_URL"] = configured
    server = DatabaseServer.start()
    name = f"hub_eval_{uuid.uuid4().hex[:8]}"
    try:
        url = await server.create_database(name)
        await asyncio.to_thread(migrations.upgrade, url)
        await seed(url, demo=False)
        yield url
    finally:
        await server.drop_database(name)
        server.stop()


async def load(sessions: async_sessionmaker[AsyncSession], data: EvalSet) -> None:
    """The agencies, and the articles as published on their original dates, indexed."""
    async with sessions() as session, session.begin():
        agency_ids = dict((await session.execute(select(Agency.slug, Agency.id))).tuples().all())
        for agency in data.agencies:
            if agency["slug"] in agency_ids:
                continue
            row = Agency(
                slug=agency["slug"],
                name=agency["name"],
                acronym=agency.get("acronym"),
                type_code=agency["type"],
                region_code=agency["region"],
            )
            session.add(row)
            await session.flush()
            agency_ids[agency["slug"]] = row.id
        for article in data.articles:
            published = datetime.fromisoformat(article["published_at"])
            session.add(
                Article(
                    slug=article["key"],
                    title=article["title"],
                    summary=article.get("summary"),
                    body=article["body"],
                    source_agency_id=agency_ids[article["agency"]],
                    status="approved",
                    submitted_at=published,
                    approved_at=published,
                    published_at=published,
                )
            )
        await session.flush()
        await index_unindexed(session)


async def link_events(sessions: async_sessionmaker[AsyncSession], data: EvalSet) -> None:
    """One event per story, its articles linked to it and indexed again one by one."""
    by_story: dict[str, list[str]] = defaultdict(list)
    for article in data.articles:
        if article["story"]:
            by_story[article["story"]].append(article["key"])
    async with sessions() as session, session.begin():
        for story, keys in by_story.items():
            first = min(
                datetime.fromisoformat(a["published_at"]) for a in data.articles if a["key"] in keys
            )
            event = Event(slug=f"peristiwa-{story}", title=f"Peristiwa {story}", starts_at=first)
            session.add(event)
            await session.flush()
            await session.execute(
                update(Article).where(Article.slug.in_(keys)).values(event_id=event.id)
            )
        ids = (await session.scalars(select(Article.id).order_by(Article.published_at))).all()
        for article_id in ids:
            await index_published_article(session, article_id=article_id)


async def search(client: httpx.AsyncClient, data: EvalSet) -> list[QueryResult]:
    """Each query's first 10 results."""
    results = []
    for query in data.queries:
        response = await client.post(
            "/graphql", json={"query": SEARCH, "variables": {"q": query["query"]}}
        )
        body = response.json()
        if "errors" in body:
            raise RuntimeError(f"{query['query']}: {body['errors']}")
        connection = body["data"]["articles"]
        found = [edge["node"]["slug"] for edge in connection["edges"]]
        results.append(QueryResult(query, found, connection["searchedFor"]["text"]))
    return results


async def related(client: httpx.AsyncClient, data: EvalSet) -> RelatedResult:
    """The related coverage of each of the set's articles against the truth of its stories."""
    story = {a["key"]: a["story"] for a in data.articles}
    agency = {a["key"]: a["agency"] for a in data.articles}
    result = RelatedResult()
    for key in story:
        response = await client.post(
            "/graphql", json={"query": RELATED, "variables": {"slug": key}}
        )
        edges = response.json()["data"]["article"]["relatedCoverage"]["edges"]
        found = {edge["node"]["slug"] for edge in edges}
        expected = {
            other
            for other in story
            if other != key
            and story[key]
            and story[other] == story[key]
            and agency[other] != agency[key]
        }
        result.true_positives += len(found & expected)
        result.false_positives += len(found - expected)
        result.false_negatives += len(expected - found)
        result.errors += [f"{key} ~ {other} (not the same story)" for other in found - expected]
        result.errors += [f"{key} ~ {other} (missed)" for other in expected - found]
    return result


@dataclass
class Report:
    data: EvalSet
    searches: list[QueryResult]
    related: dict[bool, RelatedResult]  # by event links


async def evaluate(sets: list[EvalSet]) -> list[Report]:
    keys = [article["key"] for data in sets for article in data.articles]
    if len(keys) != len(set(keys)):
        raise SystemExit("article keys must be unique across the evaluated sets")
    everything = EvalSet(
        "all", [a for d in sets for a in d.agencies], [a for d in sets for a in d.articles], []
    )
    async with fresh_database() as url:
        engine = create_async_engine(url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        try:
            await load(sessions, everything)
            app = create_app(settings_for(url, Path(tempfile.gettempdir())))
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://eval") as client:
                    searches = [await search(client, data) for data in sets]
                    without = [await related(client, data) for data in sets]
                    await link_events(sessions, everything)
                    with_links = [await related(client, data) for data in sets]
        finally:
            await engine.dispose()
    return [
        Report(data, searches[n], {False: without[n], True: with_links[n]})
        for n, data in enumerate(sets)
    ]


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def search_rows(report: Report) -> list[tuple[str, int, float, float, float]]:
    rows = []
    for kind in (*KINDS, None):
        chosen = [r for r in report.searches if kind is None or r.query["kind"] == kind]
        if not chosen:
            continue
        rows.append(
            (
                kind or "overall",
                len(chosen),
                mean([r.recall(5) for r in chosen]),
                mean([r.recall(10) for r in chosen]),
                mean([r.reciprocal_rank for r in chosen]),
            )
        )
    return rows


def print_report(report: Report, show_misses: bool) -> list[tuple[str, bool]]:
    print(f"\n== {report.data.name}: {report.data.describe()}")
    print(f"{'query kind':<14} {'queries':>7} {'recall@5':>9} {'recall@10':>9} {'MRR':>6}")
    rows = search_rows(report)
    for kind, count, recall5, recall10, mrr in rows:
        print(f"{kind:<14} {count:>7} {recall5:>9.3f} {recall10:>9.3f} {mrr:>6.3f}")
    print(f"\n{'related coverage':<26} {'precision':>9} {'recall':>7} {'pairs found':>11}")
    for links, result in report.related.items():
        label = "with event links" if links else "without event links"
        found = result.true_positives + result.false_positives
        print(f"{label:<26} {result.precision:>9.3f} {result.recall:>7.3f} {found:>11}")
    checks = []
    by_kind = {row[0]: row for row in rows}
    for name, (_metric, kind, target) in TARGETS.items():
        row = by_kind.get(kind or "overall")
        if row is not None:
            checks.append(
                (f"{report.data.name}: {name} = {row[3]:.3f} (target ≥ {target})", row[3] >= target)
            )
    for links, (precision, recall) in RELATED_TARGETS.items():
        result = report.related[links]
        label = "with" if links else "without"
        checks.append(
            (
                f"{report.data.name}: related coverage {label} event links: precision "
                f"{result.precision:.3f} (≥ {precision}), recall {result.recall:.3f} (≥ {recall})",
                result.precision >= precision and result.recall >= recall,
            )
        )
    if show_misses:
        for result in report.searches:
            missed = result.relevant - set(result.found[:10])
            if missed or result.recall(10) < 1:
                print(
                    f"  miss [{result.query['kind']}] {result.query['query']!r} "
                    f"(understood {result.understood!r}): missed {sorted(missed)}, "
                    f"found {result.found[:10]}"
                )
        for links, result in report.related.items():
            for error in result.errors:
                print(f"  related {'with' if links else 'without'} links: {error}")
    return checks


async def run(show_misses: bool) -> int:
    sets = [EvalSet.read(PROJECT_SET, "project set")]
    private = os.environ.get("HUB_EVAL_PRIVATE_DIR")
    if private:
        sets.append(EvalSet.read(Path(private), "private set"))
    checks = []
    for report in await evaluate(sets):
        checks += print_report(report, show_misses)
    print("\ntargets:")
    for line, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'} {line}")
    if not private:
        print("  (no private set: HUB_EVAL_PRIVATE_DIR is not set)")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list what each query missed")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(run(arguments.show_misses)))


if __name__ == "__main__":
    main()
