"""Related coverage: the same event, and the same story told by other outlets in their own words
(no event link), found when an article is approved, stored both ways, read in one statement."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article, RelatedArticle
from hub.settings import Settings
from hub.vocabulary import ArticleStatus
from tests import factories
from tests.helpers import GraphQLClient

RELATED = """query ($slug: String!) { article(slug: $slug) {
  relatedCoverage { edges { score reason shared node { slug title agency { slug } } } } } }"""
DISKOMINFO = "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"
POSKALTIM = "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023"
DAY = datetime(2024, 3, 6, 9, tzinfo=UTC)

# One story — a ferry delayed on the Mahakam — as three outlets tell it, and two others.
FERRY = [
    (
        "Kapal Penyeberangan Tertahan Kabut di Muara Kaman",
        "Sebanyak 214 penumpang menunggu enam jam di dermaga Muara Kaman.",
        "<p>Kabut tebal membuat KM Sungai Lestari tertahan di dermaga Muara Kaman, Kutai "
        "Kartanegara, Rabu pagi. Sebanyak 214 penumpang menunggu hingga pukul 11.30 WITA.</p>"
        "<p>Kepala UPT Dermaga Muara Kaman, Hasanuddin Latief, menyebut nakhoda menunda "
        "keberangkatan karena jarak pandang kurang dari 50 meter.</p>",
    ),
    (
        "Penumpang KM Sungai Lestari Menunggu Kabut Reda",
        "Keberangkatan kapal sungai dari Muara Kaman ditunda demi keselamatan.",
        "<p>Ratusan penumpang KM Sungai Lestari memilih bertahan di ruang tunggu dermaga Muara "
        "Kaman sejak subuh. Menurut Hasanuddin Latief dari UPT Dermaga, 214 orang tercatat "
        "dalam manifes.</p><p>Kapal baru berlayar pukul 11.30 WITA setelah kabut menipis di "
        "alur Sungai Mahakam.</p>",
    ),
    (
        "Kabut Tunda Pelayaran di Sungai Mahakam",
        "Warga Muara Kaman mengeluhkan kabut yang datang tiap pagi pada musim kemarau.",
        "<p>Pelayaran KM Sungai Lestari dari Muara Kaman tertunda enam jam karena kabut, Rabu. "
        "Hasanuddin Latief meminta penumpang bersabar; 214 penumpang akhirnya berangkat pukul "
        "11.30 WITA.</p>",
    ),
]
OTHER_TOWN = (
    "Kabut Turunkan Jarak Pandang di Bandara Berau",
    "Dua penerbangan pagi dialihkan ke Tarakan.",
    "<p>Kabut tebal menyelimuti Bandara Kalimarau, Berau, Rabu pagi. Kepala bandara, Wahyu "
    "Gunadi, menyebut dua penerbangan dialihkan ke Tarakan dan 160 penumpang menunggu di "
    "terminal.</p>",
)


async def related(gql: GraphQLClient, slug: str, **kwargs: Any) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = (await gql(RELATED, {"slug": slug}, **kwargs))["article"][
        "relatedCoverage"
    ]["edges"]
    return edges


async def slug_of(sessions: async_sessionmaker[AsyncSession], article_id: int) -> str:
    async with sessions() as session:
        slug = await session.scalar(select(Article.slug).where(Article.id == article_id))
    assert slug is not None
    return slug


async def outlets(sessions: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    return [await factories.agency(sessions, slug=f"media-{n}") for n in range(count)]


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    agency_id: int,
    text: tuple[str, str, str],
    when: datetime,
) -> int:
    """A published article with this (title, summary, body)."""
    title, summary, body = text
    return await factories.article(
        sessions, agency_id=agency_id, title=title, summary=summary, body=body, published_at=when
    )


async def test_demo_articles_find_each_other_by_event_and_unrelated_do_not_appear(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    other = await factories.agency(sessions, slug="diskominfo-bontang", region_code="64.74")
    await factories.article(
        sessions,
        agency_id=other,
        title="Harga cabai di pasar Bontang turun menjelang akhir pekan",
        summary="Pedagang menyebut pasokan dari Sulawesi lancar.",
        published_at=datetime(2023, 7, 10, 12, tzinfo=UTC),
    )
    from_diskominfo = await related(gql, DISKOMINFO)
    assert [edge["node"]["slug"] for edge in from_diskominfo] == [POSKALTIM]
    (edge,) = from_diskominfo
    assert edge["reason"] == "SAME_EVENT"
    assert edge["score"] > 1  # 1 for the event, plus the texts' similarity
    assert 0 < len(edge["shared"]) <= 8
    assert {"Balikpapan", "Kaltim", "2024"} & set(edge["shared"])
    from_poskaltim = await related(gql, POSKALTIM)
    assert [edge["node"]["slug"] for edge in from_poskaltim] == [DISKOMINFO]


async def test_the_same_story_without_an_event_link(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agencies = await outlets(sessions, 4)
    ids = [
        await publish(sessions, agency, text, DAY + timedelta(hours=3 * n))
        for n, (agency, text) in enumerate(zip(agencies, FERRY, strict=False))
    ]
    elsewhere = await publish(sessions, agencies[3], OTHER_TOWN, DAY)
    slugs = [await slug_of(sessions, article_id) for article_id in ids]
    for slug in slugs:
        edges = await related(gql, slug)
        assert {edge["node"]["slug"] for edge in edges} == set(slugs) - {slug}, slug
        assert {edge["reason"] for edge in edges} == {"SAME_STORY"}
        for edge in edges:
            assert 0 < edge["score"] < 1
            # Why: names, places and numbers both articles mention (times in canonical form).
            distinctive = {"Hasanuddin", "Latief", "Lestari", "Kaman", "214", "11:30"}
            assert len(distinctive & set(edge["shared"])) >= 3, edge
            texts = [" ".join(story).lower() for story in FERRY]
            for entity in edge["shared"]:
                written = entity.replace(":", ".").lower()
                assert sum(written in text for text in texts) >= 2, entity
    assert await related(gql, await slug_of(sessions, elsewhere)) == []


async def test_the_same_story_weeks_apart_is_not_related(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agencies = await outlets(sessions, 2)
    first, later = [
        await publish(sessions, agency, text, DAY + timedelta(days=days))
        for agency, text, days in zip(agencies, FERRY, (0, 21), strict=False)
    ]
    assert await related(gql, await slug_of(sessions, first)) == []
    assert await related(gql, await slug_of(sessions, later)) == []


async def test_approval_relates_both_ways_and_drafts_never_appear(
    database_url: str,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await factories.ensure_agency(sessions, slug="diskominfo-kukar", region_code="64.02")
    outlet = (await outlets(sessions, 1))[0]
    published = await publish(sessions, outlet, FERRY[0], datetime.now(UTC) - timedelta(hours=5))
    draft = await factories.add_article(
        sessions,
        agency_slug="diskominfo-kukar",
        status=ArticleStatus.SUBMITTED,
        body=FERRY[1][2],
    )
    async with sessions() as session, session.begin():
        row = await session.get(Article, draft)
        assert row is not None
        row.title, row.summary = FERRY[1][0], FERRY[1][1]
    published_slug, draft_slug = (
        await slug_of(sessions, published),
        await slug_of(sessions, draft),
    )
    assert await related(gql, published_slug) == []  # a submission is not coverage yet

    desk = await factories.Desk.open(gql, sessions, settings, agencies=["diskominfo-kukar"])
    await desk.approve(draft)
    assert [e["node"]["slug"] for e in await related(gql, published_slug)] == [draft_slug]
    assert [e["node"]["slug"] for e in await related(gql, draft_slug)] == [published_slug]
    async with sessions() as session:
        stored = (await session.execute(select(RelatedArticle.article_id))).scalars().all()
    assert sorted(stored) == sorted([published, draft])  # both ways, stored

    await desk.retract(draft)  # a retracted article stays readable, with its coverage
    assert [e["node"]["slug"] for e in await related(gql, published_slug)] == [draft_slug]


CORRECT = """mutation ($input: CorrectArticleInput!) {
  correctArticle(input: $input) { errors { code message } } }"""


async def test_sister_articles_approved_at_the_same_moment_find_each_other(
    database_url: str,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    slugs = ("humas-polres-uji", "diskominfo-uji")
    for slug in slugs:
        await factories.ensure_agency(sessions, slug=slug, region_code="64.02")
    ids = [
        await factories.add_article(
            sessions, agency_slug=slug, status=ArticleStatus.SUBMITTED, body=text[2]
        )
        for slug, text in zip(slugs, FERRY, strict=False)
    ]
    async with sessions() as session, session.begin():
        for article_id, text in zip(ids, FERRY, strict=False):
            row = await session.get(Article, article_id)
            assert row is not None
            row.title, row.summary = text[0], text[1]
    desks = [await factories.Desk.open(gql, sessions, settings, agencies=[slug]) for slug in slugs]
    await asyncio.gather(*(desk.approve(article) for desk, article in zip(desks, ids, strict=True)))
    first, second = [await slug_of(sessions, article_id) for article_id in ids]
    assert [e["node"]["slug"] for e in await related(gql, first)] == [second]
    assert [e["node"]["slug"] for e in await related(gql, second)] == [first]


async def test_a_correction_decides_again(
    database_url: str,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await factories.ensure_agency(sessions, slug="diskominfo-kukar", region_code="64.02")
    outlet = (await outlets(sessions, 1))[0]
    published = await publish(sessions, outlet, FERRY[0], datetime.now(UTC) - timedelta(hours=5))
    own = await factories.add_article(
        sessions, agency_slug="diskominfo-kukar", status=ArticleStatus.SUBMITTED, body=FERRY[1][2]
    )
    async with sessions() as session, session.begin():
        row = await session.get(Article, own)
        assert row is not None
        row.title, row.summary = FERRY[1][0], FERRY[1][1]
    desk = await factories.Desk.open(gql, sessions, settings, agencies=["diskominfo-kukar"])
    await desk.approve(own)
    published_slug = await slug_of(sessions, published)
    assert len(await related(gql, published_slug)) == 1
    async with sessions() as session:
        target = await session.get(Article, own)
        assert target is not None
        slug, version = target.slug, target.version
    # The correction replaces the text with another story: the edge goes, both ways.
    result = await gql(
        CORRECT,
        {
            "input": {
                "slug": slug,
                "version": version,
                "note": "Naskah tertukar dengan berita lain",
                "title": OTHER_TOWN[0],
                "summary": OTHER_TOWN[1],
                "body": OTHER_TOWN[2],
            }
        },
        headers=desk.headers,
    )
    assert result["correctArticle"]["errors"] == []
    assert await related(gql, published_slug) == []
    assert await related(gql, slug) == []
