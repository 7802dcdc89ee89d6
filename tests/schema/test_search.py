"""Indonesian search over HTTP: stems, proper names, typos, stop words, ranking, highlights."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.vocabulary import ArticleStatus
from tests import factories
from tests.helpers import GraphQLClient, count_statements

SEARCH = """query ($q: String!) { articles(search: $q) {
  edges { score highlight { title snippet } node { title } } } }"""


async def found(gql: GraphQLClient, text: str) -> list[str]:
    edges = (await gql(SEARCH, {"q": text}))["articles"]["edges"]
    return [edge["node"]["title"] for edge in edges]


async def test_stemmed_names_typos_and_title_first(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="kpu-balikpapan", region_code="64.71")
    await factories.article(
        sessions,
        agency_id=agency,
        title="Rapat pleno di Balikpapan",
        body="<p>Para petugas melaksanakan pemungutan suara ulang.</p>",
    )
    await factories.article(
        sessions,
        agency_id=agency,
        title="Sosialisasi pemilihan umum",
        summary="Warga Samarinda diajak memilih.",
        body="<p>Kegiatan juga digelar di Balikpapan dan Bontang.</p>",
    )
    await factories.article(sessions, agency_id=agency, title="Banjir di Tenggarong")

    # Stemming: "pemilihan" (title), "memilih" (summary) and "pilih" share the stem.
    assert set(await found(gql, "pilih")) == {"Sosialisasi pemilihan umum"}
    assert set(await found(gql, "dilaksanakan")) == {"Rapat pleno di Balikpapan"}
    # Proper name: both mention Balikpapan; the title match ranks first.
    assert await found(gql, "Balikpapan") == [
        "Rapat pleno di Balikpapan",
        "Sosialisasi pemilihan umum",
    ]
    # Typo tolerance: the closest word of the published articles, wherever it is written.
    assert await found(gql, "Balikpapn") == [
        "Rapat pleno di Balikpapan",
        "Sosialisasi pemilihan umum",
    ]
    assert await found(gql, "Tenggarog") == ["Banjir di Tenggarong"]
    # All words must match; stop words ("yang", "di") are ignored.
    assert await found(gql, "banjir yang di tenggarong") == ["Banjir di Tenggarong"]
    assert await found(gql, "banjir balikpapan") == []
    edges = (await gql(SEARCH, {"q": "Balikpapan"}))["articles"]["edges"]
    assert edges[0]["score"] > 2 > edges[1]["score"] > 0
    assert edges[0]["highlight"]["title"] == "Rapat pleno di <mark>Balikpapan</mark>"
    assert "<mark>Balikpapan</mark>" in edges[1]["highlight"]["snippet"]
    assert "<p>" not in edges[1]["highlight"]["snippet"]


async def test_only_stop_words_is_a_clear_error(database_url: str, gql: GraphQLClient) -> None:
    errors = await gql.errors(SEARCH, {"q": "yang dan di"})
    assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": "search"}


async def test_search_everything(demo: str, gql: GraphQLClient) -> None:
    data = await gql("""{ search(query: "Kalimantan Timur") { totalCount edges { score
      node { __typename ... on Agency { slug } ... on Event { slug } ... on Article { slug }
             ... on Person { slug } } } } }""")
    kinds = {edge["node"]["__typename"] for edge in data["search"]["edges"]}
    assert kinds >= {"Agency", "Event", "Article", "Person"}
    scores = [edge["score"] for edge in data["search"]["edges"]]
    assert scores == sorted(scores, reverse=True)
    assert data["search"]["totalCount"] == len(scores)
    people = await gql(
        '{ search(query: "Faisal", kinds: [PERSON]) { edges { node { ... on Person { slug } } } } }'
    )
    assert people["search"]["edges"] == [{"node": {"slug": "muhammad-faisal"}}]


async def test_search_uses_indexes(demo: str, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    async with engine.connect() as connection:
        await connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in await connection.execute(
                text(
                    "EXPLAIN SELECT id FROM articles WHERE "
                    "(search_vector @@ hub_word_query('forum') OR 'forum' <% title)"
                )
            )
        )
    assert "ix_articles_search_vector" in plan
    assert "ix_articles_title_trgm" in plan


async def test_relevance_pages_walk_the_tiers_both_ways(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="kpu-uji", region_code="64.71")
    expected = []
    for where, count in (("title", 3), ("summary", 3), ("body", 3)):
        made = []
        for n in range(count):
            fields = {
                "title": f"Berita {where} {n}",
                "summary": "Ringkasan.",
                "body": "<p>Isi.</p>",
            }
            key = "body" if where == "body" else where
            fields[key] = f"Sosialisasi tahapan {fields[key]}"
            await factories.article(sessions, agency_id=agency, **fields)  # type: ignore[arg-type]
            made.append(fields["title"])
        expected += list(reversed(made))  # newest first within a tier
    page_query = """query ($first: Int, $after: String, $last: Int, $before: String) {
      articles(search: "sosialisasi", first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { score node { title } } } }"""
    forward: list[str] = []
    after = None
    while True:
        page = (await gql(page_query, {"first": 2, "after": after}))["articles"]
        forward += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forward == expected
    backward: list[str] = []
    before = None
    while True:
        page = (await gql(page_query, {"last": 2, "before": before}))["articles"]
        backward = [edge["node"]["title"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == expected
    scores = [edge["score"] for edge in (await gql(page_query, {"first": 9}))["articles"]["edges"]]
    assert [int(score) for score in scores] == [2, 2, 2, 1, 1, 1, 0, 0, 0]


async def test_typo_tolerant_pages_continue_typo_tolerant(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="kpu-uji", region_code="64.71")
    for n in range(3):
        await factories.article(sessions, agency_id=agency, title=f"Banjir di Tenggarong {n}")
    query = """query ($after: String) { articles(search: "Tenggarog", first: 2, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { title } } } }"""
    first = (await gql(query))["articles"]
    assert len(first["edges"]) == 2
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await gql(query, {"after": first["pageInfo"]["endCursor"]}))["articles"]
    titles = [e["node"]["title"] for e in first["edges"] + rest["edges"]]
    assert sorted(titles) == [f"Banjir di Tenggarong {n}" for n in range(3)]


def scans_of(plan: dict[str, Any], column: str) -> list[int]:
    """The loops run by each plan node that reads ``column`` (in a condition or filter)."""
    loops = []
    conditions = ("Index Cond", "Recheck Cond", "Filter")
    if any(column in plan.get(name, "") for name in conditions):
        loops.append(plan["Actual Loops"])
    for child in plan.get("Plans", []):
        loops += scans_of(child, column)
    return loops


async def test_lower_tiers_are_read_only_when_the_page_needs_them(
    database_url: str,
    app: Starlette,
    engine: AsyncEngine,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    agency = await factories.agency(sessions, slug="kpu-uji", region_code="64.71")
    for n in range(3):
        await factories.article(sessions, agency_id=agency, title=f"Sosialisasi tahapan {n}")
        await factories.article(
            sessions, agency_id=agency, title=f"Berita {n}", summary="Sosialisasi tahapan."
        )
    query = """query ($first: Int) { articles(search: "sosialisasi", first: $first) {
      edges { node { title } } } }"""
    lower_tier_loops = {}
    for first in (2, 4):  # the title tier fills a page of 2 (3 rows), not one of 4
        with count_statements(app.state.engine) as log:
            titles = [
                e["node"]["title"]
                for e in (await gql(query, {"first": first}))["articles"]["edges"]
            ]
        assert len(titles) == first
        # The last statement is the page (the first request also looks its word up).
        statement, parameters = log.statements[-1], log.parameters[-1]
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            explained = await raw.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, *parameters
            )
        plan = explained[0]["Plan"]  # the JSON plan, decoded by the engine's codec
        lower_tier_loops[first] = scans_of(plan, "head_vector")
    assert lower_tier_loops[2], "the statement reads the lower tiers under a one-time filter"
    assert set(lower_tier_loops[2]) == {0}, lower_tier_loops
    assert any(loops > 0 for loops in lower_tier_loops[4]), lower_tier_loops


async def test_nested_searches_give_each_parent_its_own_page(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    slugs = ("kpu-satu", "kpu-dua", "kpu-tiga")
    for number, slug in enumerate(slugs):
        agency = await factories.agency(sessions, slug=slug, region_code="64.71")
        for n in range(number + 1):  # 1, 2 and 3 title matches: pages that need lower tiers
            await factories.article(sessions, agency_id=agency, title=f"Sosialisasi {slug} {n}")
            await factories.article(
                sessions, agency_id=agency, title=f"Berita {slug} {n}", summary="Sosialisasi."
            )
    nested = """{ agencies(first: 10) { nodes { slug
      articles(search: "sosialisasi", first: 3) { edges { score node { title } } } } } }"""
    alone = """query ($agency: String!) { articles(filter: {agency: $agency},
      search: "sosialisasi", first: 3) { edges { score node { title } } } }"""
    pages = {
        node["slug"]: node["articles"]["edges"]
        for node in (await gql(nested))["agencies"]["nodes"]
        if node["slug"] in slugs
    }
    assert set(pages) == set(slugs)
    for number, slug in enumerate(slugs):
        assert pages[slug] == (await gql(alone, {"agency": slug}))["articles"]["edges"]
        assert all(slug in edge["node"]["title"] for edge in pages[slug]), pages[slug]
        assert len(pages[slug]) == min(3, 2 * (number + 1))


SEARCHED = """query ($q: String!) { articles(search: $q, first: 20) {
  searchedFor { text corrections { typed understood } }
  edges { score node { slug title } } } }"""


async def test_the_demo_reads_like_indonesian_is_written(demo: str, gql: GraphQLClient) -> None:
    both = {
        "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024",
        "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023",
    }
    for typed in (
        "pemilihan umum serentak",  # the articles write "Pemilu Serentak"
        "hubungan masyarakat",  # "humas", "kehumasan"
        "Badan Koordinasi Kehumasan Kalimantan Timur",  # "Bakohumas ... Kaltim"
        "10 Juli 2023",  # "Senin, 10 Juli 2023"
        "10/7/2023",
        "Kombes Pol Yusuf Sutejo",  # one writes "Kabid Humas Polda Kaltim Yusuf Sutejo"
    ):
        found = {
            edge["node"]["slug"]
            for edge in (await gql(SEARCHED, {"q": typed}))["articles"]["edges"]
        }
        assert found & both, typed
    found = await gql(SEARCHED, {"q": "Kombes Pol Yusuf Sutejo"})
    first = found["articles"]["edges"][0]
    assert first["node"]["slug"] == "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023"


async def test_numbers_as_written_and_as_digits(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="humas-polda-uji", region_code="64")
    await factories.article(
        sessions,
        agency_id=agency,
        title="Sebanyak 434.197 personel amankan pemungutan suara",
        body="<p>Pengamanan dimulai pukul 00.00 WITA, Rabu (14/2/2024). Kenaikan 2,5 persen.</p>",
    )
    await factories.article(sessions, agency_id=agency, title="Apel 434 personel dan 197 warga")
    for typed in ("434.197", "434197", "00.00", "14/2/2024", "14 Februari 2024", "2,5 persen"):
        titles = [
            e["node"]["title"] for e in (await gql(SEARCHED, {"q": typed}))["articles"]["edges"]
        ]
        assert titles == ["Sebanyak 434.197 personel amankan pemungutan suara"], typed


async def test_misspelled_words_anywhere_are_corrected_and_the_correction_shown(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="kpu-uji", region_code="64.02")
    await factories.article(
        sessions,
        agency_id=agency,
        title="Rekapitulasi suara tingkat kabupaten selesai",
        body="<p>Ketua KPU, Rudi Gunawan, membacakan hasil di Tenggarong.</p>",
    )
    await factories.add_article(
        sessions, agency_slug="kpu-uji", status=ArticleStatus.DRAFT, body="<p>Gunawardana</p>"
    )
    plain = """query ($q: String!) { articles(search: $q) {
      searchedFor { text corrections { typed understood } } edges { node { title } } } }"""
    general = """query ($q: String!) { articles(search: $q) {
      searchedFor { text corrections { typed understood } } nodes { title agency { slug } }
      totalCount } }"""
    everything = """query ($q: String!) { search(query: $q) {
      searchedFor { text corrections { typed understood } }
      edges { node { ... on Article { title } } } } }"""
    typed = "hasil rekapitulsi Gunawn di Tengarong"
    for query, field in ((plain, "articles"), (general, "articles"), (everything, "search")):
        found = (await gql(query, {"q": typed}))[field]
        assert found["searchedFor"] == {
            "text": "hasil rekapitulasi Gunawan di Tenggarong",
            "corrections": [
                {"typed": "rekapitulsi", "understood": "rekapitulasi"},
                {"typed": "Gunawn", "understood": "Gunawan"},
                {"typed": "Tengarong", "understood": "Tenggarong"},
            ],
        }, query
        nodes = found.get("edges") or found.get("nodes")
        titles = [node.get("node", node)["title"] for node in nodes]
        assert titles == ["Rekapitulasi suara tingkat kabupaten selesai"], query
    # Nothing corrected: the text as typed, no corrections.
    found = (await gql(plain, {"q": "Rekapitulasi"}))["articles"]["searchedFor"]
    assert found == {"text": "Rekapitulasi", "corrections": []}
    # A draft's words are not in the dictionary: no correction towards them.
    found = (await gql(plain, {"q": "Gunawardena"}))["articles"]
    assert found["searchedFor"]["corrections"] == []
    assert found["edges"] == []
    # Without a search, no searchedFor.
    assert (await gql("{ articles { searchedFor { text } } }"))["articles"]["searchedFor"] is None


async def test_other_outlets_reports_of_the_stories_found_come_after_the_matches(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from tests.schema.test_related_coverage import DAY, FERRY, outlets, publish

    agencies = await outlets(sessions, 3)
    for n, (agency, story) in enumerate(zip(agencies, FERRY, strict=True)):
        await publish(sessions, agency, story, DAY + timedelta(hours=n))
    # Only the first report names the pier's officer as "Kepala UPT" and the visibility.
    edges = (await gql(SEARCHED, {"q": "jarak pandang kurang"}))["articles"]["edges"]
    assert edges[0]["node"]["title"] == FERRY[0][0]
    assert {e["node"]["title"] for e in edges[1:]} == {FERRY[1][0], FERRY[2][0]}
    assert all(0 <= e["score"] < edges[0]["score"] for e in edges[1:])
    count = await gql('{ articles(search: "jarak pandang kurang") { totalCount } }')
    assert count["articles"]["totalCount"] == 3
