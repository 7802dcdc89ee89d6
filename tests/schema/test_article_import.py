"""importArticle over HTTP: original dates, idempotency on the canonical URL, the history's
IMPORTED step, the outbox kind, and refusals that change nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.db.models import Article, ArticleTransition, OutboxEntry
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from tests.factories import add_account, add_api_key, add_article, bearer, headers_for
from tests.helpers import GraphQLClient, table_digests

IMPORT = """mutation ($input: ImportArticleInput!) {
  importArticle(input: $input) {
    outcome
    article { slug title status version publishedAt canonicalUrl featuredImageUrl
      regions { code } tags { slug } electionStages { code }
      history { kind fromStatus toStatus actor origin } }
    errors { field code message } } }"""

AGENCY = "diskominfo-kukar"
URL = "https://diskominfo.kukarkab.go.id/berita/rapat-persiapan-pilkada"


def record(**changes: Any) -> dict[str, Any]:
    return {
        "agencySlug": AGENCY,
        "canonicalUrl": URL,
        "publishedAt": "2024-08-20T09:30:00+08:00",
        "title": "Rapat persiapan pilkada di Tenggarong",
        "body": "<p>Diskominfo Kukar menggelar rapat persiapan pilkada.</p><script>x()</script>",
        "regionCodes": ["64.02"],
        "stageCodes": ["pilkada_pendaftaran_paslon"],
        "featuredImageUrl": "https://diskominfo.kukarkab.go.id/media/rapat.jpg",
        "origin": "WordPress https://diskominfo.kukarkab.go.id/wp-json/",
        **changes,
    }


@pytest.fixture
async def editor(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> dict[str, str]:
    await add_account(sessions, settings, "redaktur@kukar.go.id", roles={AGENCY: MemberRole.EDITOR})
    return await headers_for(gql, "redaktur@kukar.go.id")


async def run(gql: GraphQLClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(IMPORT, {"input": record(**changes)}, headers=headers))[
        "importArticle"
    ]
    return payload


async def outbox_kinds(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxEntry.kind).order_by(OutboxEntry.id)))


async def test_import_then_again(
    editor: dict[str, str],
    gql: GraphQLClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await run(gql, editor)
    assert first["errors"] == []
    assert first["outcome"] == "CREATED"
    article = first["article"]
    assert article["status"] == "APPROVED"
    assert article["publishedAt"] == "2024-08-20T09:30:00+08:00"
    assert article["canonicalUrl"] == URL
    assert article["featuredImageUrl"] == "https://diskominfo.kukarkab.go.id/media/rapat.jpg"
    assert article["regions"] == [{"code": "64.02"}]
    assert article["electionStages"] == [{"code": "pilkada_pendaftaran_paslon"}]
    assert article["history"] == [
        {
            "kind": "IMPORTED",
            "fromStatus": None,
            "toStatus": "APPROVED",
            "actor": "Redaktur",
            "origin": "WordPress https://diskominfo.kukarkab.go.id/wp-json/",
        }
    ]
    read = await gql('query ($slug: String!) { article(slug: $slug) { body publishedAt } }',
                     {"slug": article["slug"]})  # fmt: skip
    assert "script" not in read["article"]["body"]
    assert await outbox_kinds(sessions) == ["article.backfilled"]

    # The same content again, its URL spelt differently: nothing is written.
    before = await table_digests(engine)
    again = await run(
        gql, editor, canonicalUrl=URL.replace("https://diskominfo", "HTTPS://Diskominfo") + "#isi"
    )
    assert again["errors"] == []
    assert again["outcome"] == "UNCHANGED"
    assert again["article"]["slug"] == article["slug"]
    assert await table_digests(engine) == before

    # Changed content updates the same article; no second one appears.
    changed = await run(gql, editor, title="Rapat persiapan pilkada serentak di Tenggarong",
                        stageCodes=[], tagSlugs=[])  # fmt: skip
    assert changed["errors"] == []
    assert changed["outcome"] == "UPDATED"
    assert changed["article"]["slug"] == article["slug"]
    assert changed["article"]["version"] == 2
    assert changed["article"]["electionStages"] == []
    assert [step["kind"] for step in changed["article"]["history"]] == ["IMPORTED", "IMPORTED"]
    assert changed["article"]["history"][1]["fromStatus"] == "APPROVED"
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Article))
    assert count == 3  # the two demo articles and this one


async def test_original_dates_order_lists_and_filters(
    editor: dict[str, str], gql: GraphQLClient
) -> None:
    await run(gql, editor)
    await run(
        gql,
        editor,
        canonicalUrl=URL + "-2",
        title="Sosialisasi tahapan pencalonan",
        publishedAt="2024-08-25T10:00:00+08:00",
    )
    query = """{ newest: articles(filter: {agency: "diskominfo-kukar"}, orderBy: NEWEST) {
        nodes { title publishedAt } }
      august: articles(filter: {publishedAfter: "2024-08-01T00:00:00Z",
                                publishedBefore: "2024-09-01T00:00:00Z"}) { totalCount } }"""
    data = await gql(query)
    assert [node["title"] for node in data["newest"]["nodes"]][:2] == [
        "Sosialisasi tahapan pencalonan",
        "Rapat persiapan pilkada di Tenggarong",
    ]
    assert data["august"]["totalCount"] == 2


async def test_concurrent_imports_of_one_url_make_one_article(
    editor: dict[str, str], gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    results = await asyncio.gather(*(run(gql, editor) for _ in range(4)))
    assert [result["errors"] for result in results] == [[]] * 4
    assert sorted(result["outcome"] for result in results) == [
        "CREATED",
        "UNCHANGED",
        "UNCHANGED",
        "UNCHANGED",
    ]
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Article).where(Article.canonical_url == URL)
        )
    assert count == 1


async def existing_at_url(
    sessions: async_sessionmaker[AsyncSession], status: ArticleStatus
) -> None:
    """An article of the agency in ``status``, written in Hub with the canonical URL ``URL``."""
    article_id = await add_article(sessions, agency_slug=AGENCY, status=status)
    async with sessions() as session, session.begin():
        row = await session.get(Article, article_id)
        assert row is not None
        row.canonical_url = URL


async def test_an_existing_draft_is_updated_and_published(
    editor: dict[str, str], gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await existing_at_url(sessions, ArticleStatus.DRAFT)
    payload = await run(gql, editor)
    assert payload["outcome"] == "UPDATED"
    assert payload["article"]["status"] == "APPROVED"
    assert [(s["kind"], s["fromStatus"]) for s in payload["article"]["history"]] == [
        ("CREATED", None),
        ("IMPORTED", "DRAFT"),
    ]


async def test_a_retracted_article_is_not_imported_again(
    editor: dict[str, str],
    gql: GraphQLClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await existing_at_url(sessions, ArticleStatus.RETRACTED)
    before = await table_digests(engine)
    payload = await run(gql, editor)
    assert [error["code"] for error in payload["errors"]] == ["INVALID_TRANSITION"]
    assert payload["outcome"] is None
    assert await table_digests(engine) == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"canonicalUrl": "  "}, [("canonicalUrl", "REQUIRED")]),
        ({"canonicalUrl": "ftp://arsip.kukarkab.go.id/a"}, [("canonicalUrl", "INVALID_FORMAT")]),
        ({"publishedAt": "2999-01-01T00:00:00+07:00"}, [("publishedAt", "INVALID_INPUT")]),
        ({"publishedAt": "2024-08-20T09:30:00"}, [("publishedAt", "INVALID_FORMAT")]),
        ({"featuredImageUrl": "javascript:alert(1)"}, [("featuredImageUrl", "INVALID_FORMAT")]),
        (
            {"title": "", "body": "<script>only()</script>", "regionCodes": ["99.99"]},
            [("title", "REQUIRED"), ("body", "REQUIRED"), ("regionCodes", "UNKNOWN_REFERENCE")],
        ),
        ({"agencySlug": "tidak-ada"}, [("agencySlug", "NOT_FOUND")]),
    ],
)
async def test_refusals_change_nothing(
    editor: dict[str, str],
    gql: GraphQLClient,
    engine: AsyncEngine,
    changes: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await table_digests(engine)
    payload = await run(gql, editor, **changes)
    assert [(error["field"], error["code"]) for error in payload["errors"]] == expected
    assert payload["article"] is None
    assert await table_digests(engine) == before


async def test_an_api_key_imports_and_is_named_in_the_history(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    key = await add_api_key(sessions, AGENCY, [ApiKeyScope.IMPORT_ARTICLES])
    payload = await run(gql, bearer(key), origin=None, stream=True)
    assert payload["errors"] == []
    assert payload["article"]["history"] is None  # an import key does not read the log
    async with sessions() as session:
        assert list(await session.scalars(select(OutboxEntry.kind))) == ["article.imported"]
        imported = select(ArticleTransition).where(ArticleTransition.kind == "imported")
        step = (await session.scalars(imported)).one()
    assert (step.kind, step.actor_account_id, step.origin) == ("imported", None, URL)
    assert step.actor_api_key_id is not None  # the key is who imported it
