"""Build the read benchmark's dataset: every real region, ~600 agencies, 20k events, 50k people,
200k articles with 2-4 KB bodies, their regions, tags, stages and quotes — loaded with COPY.

Usage: python -m bench.read.generate [--articles N] [--url postgresql://...]
                                     [--index-only [--relate-all]]
The database (default: HUB_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/hub_bench)
is created if missing, migrated, and its content replaced. Deterministic (seeded random).
Then the published articles are indexed as approval indexes them (the dictionary of words, the
signatures, related coverage; ``--index-only`` does just that on an existing dataset) and it
ends with ``VACUUM (ANALYZE)``, what autovacuum does after bulk inserts: statistics for the
planner, and the visibility map that index-only scans need.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from hub.db import migrations
from hub.db.models import ArticleSignature
from hub.db.provision import seed
from hub.db.repositories import related_coverage
from hub.db.repositories.article_index import count_and_sign_unindexed
from hub.settings import normalise_database_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/hub_bench"
START = datetime(2022, 6, 14, tzinfo=UTC)
SPAN_DAYS = 730
WORDS = [
    "pemerintah",
    "daerah",
    "masyarakat",
    "pelayanan",
    "publik",
    "informasi",
    "pemilu",
    "kampanye",
    "pemungutan",
    "suara",
    "penghitungan",
    "rekapitulasi",
    "pengawasan",
    "keamanan",
    "ketertiban",
    "koordinasi",
    "sosialisasi",
    "partisipasi",
    "pemilih",
    "tahapan",
    "penyelenggara",
    "kehumasan",
    "media",
    "digital",
    "hoaks",
    "literasi",
    "jaringan",
    "komunikasi",
    "anggaran",
    "program",
    "pembangunan",
    "infrastruktur",
    "jalan",
    "jembatan",
    "sekolah",
    "kesehatan",
    "puskesmas",
    "rumah",
    "sakit",
    "vaksinasi",
    "banjir",
    "longsor",
    "bencana",
    "bantuan",
    "sosial",
    "ekonomi",
    "pasar",
    "harga",
    "pangan",
    "petani",
    "nelayan",
    "pariwisata",
    "budaya",
    "festival",
    "pemuda",
    "olahraga",
    "perempuan",
    "anak",
    "desa",
    "kelurahan",
    "kecamatan",
    "kabupaten",
    "kota",
    "provinsi",
    "gubernur",
    "bupati",
    "wali",
    "sekretaris",
    "kepala",
    "dinas",
    "badan",
    "kantor",
    "rapat",
    "forum",
    "diskusi",
    "seminar",
    "pelatihan",
    "workshop",
    "kunjungan",
    "peresmian",
    "penandatanganan",
    "kerja",
    "sama",
    "investasi",
    "usaha",
    "kecil",
    "menengah",
    "teknologi",
    "aplikasi",
    "layanan",
    "daring",
    "data",
    "statistik",
    "laporan",
    "evaluasi",
    "capaian",
    "target",
]
VERBS = ["gelar", "ikuti", "resmikan", "dorong", "tingkatkan", "sosialisasikan", "bahas", "awasi"]
FIRST = [
    "Andi",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fajar",
    "Gita",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Putu",
    "Rina",
    "Sari",
    "Teguh",
    "Wahyu",
    "Yusuf",
]
LAST = [
    "Saputra",
    "Wijaya",
    "Lestari",
    "Pratama",
    "Siregar",
    "Nasution",
    "Hutapea",
    "Sihombing",
    "Rahman",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Susanto",
    "Simanjuntak",
    "Tanjung",
    "Harahap",
    "Lubis",
    "Wibowo",
]


SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bu",
    "da",
    "de",
    "di",
    "du",
    "ga",
    "gi",
    "gu",
    "ka",
    "ke",
    "ki",
    "ku",
    "la",
    "le",
    "li",
    "lu",
    "ma",
    "me",
    "mi",
    "mu",
    "na",
    "ni",
    "nu",
    "pa",
    "pe",
    "pi",
    "pu",
    "ra",
    "re",
    "ri",
    "ru",
    "sa",
    "se",
    "si",
    "su",
    "ta",
    "te",
    "ti",
    "tu",
    "ja",
    "ju",
    "ya",
    "wa",
]


class Vocabulary:
    """Words with Zipf-like frequencies: a few very common, most rare (like real text), so
    search terms range from matching most articles to matching a handful."""

    def __init__(self, rng: random.Random, size: int = 6000) -> None:
        domain = list(WORDS)
        rng.shuffle(domain)
        synthetic: set[str] = set()
        while len(synthetic) < size - len(domain):
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in WORDS:
                synthetic.add(word)
        # Domain words spread over the frequency ranks, synthetic ones fill the rest.
        self.words = sorted(synthetic)
        rng.shuffle(self.words)
        for index, word in enumerate(domain):
            self.words.insert(index * 12, word)
        total = 0.0
        self.cumulative = []
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 1) ** 1.05
            self.cumulative.append(total)

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


def sentence(rng: random.Random, vocabulary: Vocabulary, words: int) -> str:
    text = " ".join(vocabulary.sample(rng, words))
    return text[0].upper() + text[1:] + "."


def paragraphs(rng: random.Random, vocabulary: Vocabulary, count: int) -> list[str]:
    return [
        "<p>"
        + " ".join(sentence(rng, vocabulary, rng.randint(8, 16)) for _ in range(rng.randint(3, 5)))
        + "</p>"
        for _ in range(count)
    ]


def place(name: str) -> str:
    """``Kota Balikpapan`` -> ``Balikpapan``."""
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


async def build(url: str, articles: int) -> None:
    started = time.perf_counter()
    await ensure_database(url)
    await asyncio.to_thread(migrations.upgrade, normalise_database_url(url))
    await seed(normalise_database_url(url), demo=False)
    rng = random.Random(2024)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "TRUNCATE search_lexemes, article_people, article_tags, article_election_stages, "
            "article_regions, "
            "article_transitions, outbox, articles, event_speakers, events, people, tags, "
            "memberships, api_keys, agencies RESTART IDENTITY CASCADE"
        )
        regions = await connection.fetch(
            "SELECT code, name, parent_code FROM regions ORDER BY code"
        )
        stages = await connection.fetch("SELECT code, starts_on, ends_on FROM election_stages")
        agencies = await copy_agencies(connection, rng, regions)
        people = await copy_people(connection, rng, agencies, 50_000)
        events = await copy_events(connection, rng, agencies, people, 20_000)
        tags = await copy_tags(connection, 300)
        indexes = await drop_secondary_indexes(connection, ARTICLE_TABLES)
        names = {row["code"]: row["name"] for row in regions}
        batches = article_batches(rng, agencies, events, people, tags, stages, articles, names)
        await asyncio.gather(*(copy_articles(url, batches) for _ in range(LOADERS)))
        await connection.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")
        for definition in indexes:  # rebuilt in bulk: much faster than row by row
            await connection.execute(definition)
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    await index(url)
    print(f"dataset built in {time.perf_counter() - started:.0f} s: {articles} articles")


async def index(url: str, *, relate_all: bool = False) -> None:
    """Index the published articles as approval does: words and signatures in bulk, then
    related coverage article by article on ``LOADERS`` connections, each taking a contiguous
    part of the archive (``relate_all``: every indexed article, e.g. after an interruption)."""
    started = time.perf_counter()
    engine = create_async_engine(normalise_database_url(url), pool_size=LOADERS)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session, session.begin():
            ids = await count_and_sign_unindexed(session, batch=5_000)
            if relate_all:
                ids = list(
                    await session.scalars(
                        select(ArticleSignature.article_id).order_by(ArticleSignature.published_at)
                    )
                )
        # Relating plans its statements on the tables just filled: without their statistics
        # the planner's guesses made each article cost several times more.
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        print(f"  words and signatures: {time.perf_counter() - started:.0f} s; relating {len(ids)}")
        share = -(-len(ids) // LOADERS)

        async def relate(part: list[int]) -> None:
            async with sessions() as session:
                for number, article_id in enumerate(part):
                    for attempt in range(3):  # the two parts meet: rarely, a deadlock
                        try:
                            async with session.begin():
                                await related_coverage.relate(session, article_id=article_id)
                            break
                        except DBAPIError:
                            if attempt == 2:
                                raise
                    if number % 20_000 == 0:
                        print(f"  relating ({time.perf_counter() - started:.0f} s)", flush=True)

        await asyncio.gather(*(relate(ids[n * share : (n + 1) * share]) for n in range(LOADERS)))
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    print(f"  indexed in {time.perf_counter() - started:.0f} s")


async def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def copy_agencies(connection, rng, regions):  # type: ignore[no-untyped-def]
    rows = []
    provinces = [r for r in regions if r["parent_code"] is None]
    kinds = [
        ("diskominfo", "diskominfo_provinsi", "Dinas Komunikasi dan Informatika"),
        ("setda", "biro_humas_setda_provinsi", "Biro Humas Setda"),
        ("polda", "humas_polda", "Bidhumas Polda"),
        ("kpu", "kpu", "KPU"),
        ("bawaslu", "bawaslu", "Bawaslu"),
    ]
    for province in provinces:
        for slug, type_code, label in kinds:
            rows.append(
                (
                    f"{slug}-{province['code']}",
                    f"{label} {province['name']}",
                    type_code,
                    province["code"],
                )
            )
    regencies = [r for r in regions if r["parent_code"] is not None]
    for regency in rng.sample(regencies, 600 - len(rows)):
        rows.append(
            (
                f"diskominfo-{regency['code']}",
                f"Diskominfo {regency['name']}",
                "diskominfo_kabkota",
                regency["code"],
            )
        )
    records = [
        (i + 1, slug, name, type_code, region)
        for i, (slug, name, type_code, region) in enumerate(rows)
    ]
    await connection.copy_records_to_table(
        "agencies", records=records, columns=["id", "slug", "name", "type_code", "region_code"]
    )
    await connection.execute("SELECT setval('agencies_id_seq', (SELECT max(id) FROM agencies))")
    return [(r[0], r[4]) for r in records]


async def copy_people(connection, rng, agencies, count):  # type: ignore[no-untyped-def]
    records = [
        (
            i + 1,
            f"orang-{i + 1}",
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "Kepala Bidang",
            rng.choice(agencies)[0],
        )
        for i in range(count)
    ]
    await connection.copy_records_to_table(
        "people", records=records, columns=["id", "slug", "name", "position", "agency_id"]
    )
    await connection.execute("SELECT setval('people_id_seq', (SELECT max(id) FROM people))")
    by_agency: dict[int, list[int]] = {}
    for record in records:
        by_agency.setdefault(record[4], []).append(record[0])
    return by_agency


async def copy_events(connection, rng, agencies, people, count):  # type: ignore[no-untyped-def]
    records, speakers = [], []
    for i in range(count):
        agency_id, region = rng.choice(agencies)
        starts = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
        title = f"Forum {rng.choice(WORDS)} {rng.choice(WORDS)} {i + 1}".title()
        records.append(
            (
                i + 1,
                f"acara-{i + 1}",
                title,
                " ".join(rng.sample(WORDS, 20)),
                region,
                agency_id,
                starts,
                starts + timedelta(hours=4),
            )
        )
        for position, person in enumerate(
            rng.sample(people.get(agency_id, [1]), min(3, len(people.get(agency_id, [1]))))
        ):
            speakers.append((i + 1, person, "speaker", position))
    await connection.copy_records_to_table(
        "events",
        records=records,
        columns=[
            "id",
            "slug",
            "title",
            "description",
            "region_code",
            "organiser_id",
            "starts_at",
            "ends_at",
        ],
    )
    await connection.copy_records_to_table(
        "event_speakers", records=speakers, columns=["event_id", "person_id", "role", "position"]
    )
    await connection.execute("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
    return [(r[0], r[5], r[6], r[4]) for r in records]


async def copy_tags(connection, count):  # type: ignore[no-untyped-def]
    records = [
        (i + 1, f"{WORDS[i % len(WORDS)]}-{i // len(WORDS)}", WORDS[i % len(WORDS)].title())
        for i in range(count)
    ]
    await connection.copy_records_to_table("tags", records=records, columns=["id", "slug", "label"])
    await connection.execute("SELECT setval('tags_id_seq', (SELECT max(id) FROM tags))")
    return [r[0] for r in records]


ARTICLE_TABLES = [
    "articles",
    "article_regions",
    "article_tags",
    "article_election_stages",
    "article_people",
]
LOADERS = 2  # parallel COPY streams (the search-vector trigger is the costly part)
Batch = dict[str, list[tuple[Any, ...]]]


async def drop_secondary_indexes(connection, tables):  # type: ignore[no-untyped-def]
    """Drop the non-constraint indexes of ``tables``; returns their definitions."""
    rows = await connection.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY($1) "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint)",
        tables,
    )
    for row in rows:
        await connection.execute(f'DROP INDEX "{row["indexname"]}"')
    return [row["indexdef"] for row in rows]


def article_batches(rng, agencies, events, people, tags, stages, count, names, size=5_000):  # type: ignore[no-untyped-def]
    """Rows of articles and their links, ``size`` articles at a time."""
    vocabulary = Vocabulary(rng)
    pool = paragraphs(rng, vocabulary, 3000)
    region_of = dict(agencies)
    for start in range(0, count, size):
        batch: Batch = {table: [] for table in ARTICLE_TABLES}
        for i in range(start, min(count, start + size)):
            article_id = i + 1
            if rng.random() < 0.6:
                event_id, organiser, starts, region = rng.choice(events)
                agency_id = rng.choice(agencies)[0] if rng.random() < 0.5 else organiser
                published = starts + timedelta(hours=rng.uniform(1, 48))
            else:
                event_id, (agency_id, region) = None, rng.choice(agencies)
                published = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
            region = region or region_of[agency_id]
            where = place(names[region])
            local = f"<p>Kegiatan di {where} diikuti warga dan perangkat daerah setempat.</p>"
            body = local + "".join(rng.sample(pool, rng.randint(5, 9)))
            topic = vocabulary.sample(rng, 3)
            title = f"{topic[0].title()} {rng.choice(VERBS)} {topic[1]} {topic[2]} di {where}"
            status = "approved" if rng.random() < 0.97 else "draft"
            batch["articles"].append(
                (
                    article_id,
                    f"berita-{article_id}",
                    title,
                    sentence(rng, vocabulary, 25),
                    body,
                    agency_id,
                    event_id,
                    status,
                    published if status == "approved" else None,
                    rng.randint(0, 20_000),
                    published,
                )
            )
            batch["article_regions"] += [
                (article_id, code) for code in {region, region.split(".")[0]}
            ]
            batch["article_tags"] += [
                (article_id, tag) for tag in rng.sample(tags, rng.randint(2, 3))
            ]
            day = published.date()
            active = [
                s["code"]
                for s in stages
                if s["starts_on"] and s["starts_on"] <= day <= (s["ends_on"] or date.max)
            ]
            batch["article_election_stages"] += [
                (article_id, c) for c in rng.sample(active, min(2, len(active)))
            ]
            speakers = people.get(agency_id, [])
            if speakers:
                batch["article_people"].append(
                    (article_id, rng.choice(speakers), "quoted", sentence(rng, vocabulary, 12), 0)
                )
        yield batch


COLUMNS = {
    "articles": [
        "id",
        "slug",
        "title",
        "summary",
        "body",
        "source_agency_id",
        "event_id",
        "status",
        "published_at",
        "view_count",
        "created_at",
    ],
    "article_regions": ["article_id", "region_code"],
    "article_tags": ["article_id", "tag_id"],
    "article_election_stages": ["article_id", "stage_code"],
    "article_people": ["article_id", "person_id", "kind", "quote", "position"],
}


async def copy_articles(url: str, batches) -> None:  # type: ignore[no-untyped-def]
    """One COPY stream: takes batches from the shared generator until it is exhausted."""
    connection = await asyncpg.connect(url)
    try:
        for batch in batches:
            async with connection.transaction():
                for table in ARTICLE_TABLES:
                    await connection.copy_records_to_table(
                        table, records=batch[table], columns=COLUMNS[table]
                    )
            print(f"  articles up to {batch['articles'][-1][0]}", flush=True)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--url", default=os.environ.get("HUB_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--index-only", action="store_true", help="only index the published articles"
    )
    parser.add_argument(
        "--relate-all", action="store_true", help="with --index-only: relate every article"
    )
    arguments = parser.parse_args()
    if arguments.index_only:
        asyncio.run(index(arguments.url, relate_all=arguments.relate_all))
    else:
        asyncio.run(build(arguments.url, arguments.articles))


if __name__ == "__main__":
    main()
