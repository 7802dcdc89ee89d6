"""Related coverage: the demo outlets find each other; rewrites are found; unrelated are not."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import factories
from tests.helpers import GraphQLClient

RELATED = """query ($slug: String!) { article(slug: $slug) {
  relatedCoverage { edges { score reason node { slug title agency { slug } } } } } }"""
DISKOMINFO = "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"
POSKALTIM = "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023"


async def related(gql: GraphQLClient, slug: str) -> list[dict[str, object]]:
    edges: list[dict[str, object]] = (await gql(RELATED, {"slug": slug}))["article"][
        "relatedCoverage"
    ]["edges"]
    return edges


async def test_demo_articles_find_each_other_and_unrelated_do_not_appear(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    same_day = datetime(2023, 7, 10, 12, tzinfo=UTC)
    other = await factories.agency(sessions, slug="diskominfo-bontang", region_code="64.74")
    await factories.article(
        sessions,
        agency_id=other,
        title="Harga cabai di pasar Bontang turun menjelang akhir pekan",
        summary="Pedagang menyebut pasokan dari Sulawesi lancar.",
        published_at=same_day,
    )
    rewrite = await factories.agency(sessions, slug="portal-berita-kaltim", region_code="64")
    await factories.article(
        sessions,
        agency_id=rewrite,
        title="Forum Bakohumas Kaltim 2023: Humas Satukan Langkah Sambut Pemilu 2024",
        summary="Diskominfo Kaltim mengumpulkan humas instansi se-Kalimantan Timur di Balikpapan.",
        published_at=same_day,
    )
    from_diskominfo = await related(gql, DISKOMINFO)
    assert from_diskominfo[0]["node"]["slug"] == POSKALTIM  # type: ignore[index]
    assert from_diskominfo[0]["reason"] == "SAME_EVENT"
    titles = [edge["node"]["title"] for edge in from_diskominfo]  # type: ignore[index]
    assert "Forum Bakohumas Kaltim 2023: Humas Satukan Langkah Sambut Pemilu 2024" in titles
    assert all("cabai" not in str(title) for title in titles)
    rewrite_edge = next(e for e in from_diskominfo if e["reason"] == "SIMILAR_TEXT")
    assert 0 < float(rewrite_edge["score"]) < 1 < float(from_diskominfo[0]["score"])  # type: ignore[arg-type]

    from_poskaltim = await related(gql, POSKALTIM)
    assert from_poskaltim[0]["node"]["slug"] == DISKOMINFO  # type: ignore[index]
    assert from_poskaltim[0]["reason"] == "SAME_EVENT"
    assert all("cabai" not in str(e["node"]) for e in from_poskaltim)
    # Never the article's own agency.
    assert all(e["node"]["agency"]["slug"] != "poskaltim-id" for e in from_poskaltim)  # type: ignore[index]
