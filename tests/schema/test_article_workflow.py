"""The workflow's rules over HTTP: every illegal transition, four-eyes, optimistic locking
under concurrency, idempotent creates under concurrency, HTML sanitising, input checks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.db.models import Article
from hub.settings import Settings
from hub.vocabulary import ArticleStatus, MemberRole
from tests.factories import add_account, add_article, headers_for
from tests.helpers import GraphQLClient, table_digests

PAYLOAD = "article { slug status version title body } errors { field code message }"


def mutation(name: str, input_type: str) -> str:
    return f"mutation ($input: {input_type}!) {{ {name}(input: $input) {{ {PAYLOAD} }} }}"


CREATE = mutation("createArticle", "CreateArticleInput")
UPDATE = mutation("updateArticle", "UpdateArticleInput")
APPROVE = mutation("approveArticle", "ArticleActionInput")
SUBMIT = mutation("submitArticle", "ArticleActionInput")

# (mutation, input type, extra input) per action
ACTIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "submit": ("submitArticle", "ArticleActionInput", {}),
    "approve": ("approveArticle", "ArticleActionInput", {}),
    "reject": ("rejectArticle", "ArticleReasonInput", {"reason": "Perlu sumber kedua"}),
    "reopen": ("reopenArticle", "ArticleActionInput", {}),
    "retract": ("retractArticle", "ArticleReasonInput", {"reason": "Informasi tidak benar"}),
    "correct": ("correctArticle", "CorrectArticleInput", {"note": "Nama narasumber diperbaiki"}),
    "update": ("updateArticle", "UpdateArticleInput", {"title": "Judul baru untuk berita"}),
    "delete": ("deleteArticle", "ArticleActionInput", {}),
}
LEGAL = {  # (action, from status) -> status after; everything else is INVALID_TRANSITION
    ("submit", "draft"): "SUBMITTED",
    ("approve", "submitted"): "APPROVED",
    ("reject", "submitted"): "REJECTED",
    ("reopen", "rejected"): "DRAFT",
    ("retract", "approved"): "RETRACTED",
    ("correct", "approved"): "APPROVED",
    ("update", "draft"): "DRAFT",
    ("delete", "draft"): None,
    ("delete", "rejected"): None,
}
VERSION_OF = {"draft": 1, "submitted": 2, "rejected": 3, "approved": 3, "retracted": 4}


@pytest.fixture
async def editor(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> dict[str, str]:
    await add_account(
        sessions,
        settings,
        "penulis@kukar.go.id",
        roles={"diskominfo-kukar": MemberRole.CONTRIBUTOR},
    )
    await add_account(
        sessions, settings, "editor@kukar.go.id", roles={"diskominfo-kukar": MemberRole.EDITOR}
    )
    return await headers_for(gql, "editor@kukar.go.id")


async def test_every_action_from_every_status(
    editor: dict[str, str],
    gql: GraphQLClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for action, status in [(a, s) for a in ACTIONS for s in ArticleStatus]:
        slug = f"{action}-from-{status.value}"
        await add_article(
            sessions,
            agency_slug="diskominfo-kukar",
            slug=slug,
            status=status,
            author_email="penulis@kukar.go.id",
        )
        name, input_type, extra = ACTIONS[action]
        before = await table_digests(engine)
        data = await gql(
            f"mutation ($input: {input_type}!) {{ {name}(input: $input) {{ errors {{ code }} }} }}",
            {"input": {"slug": slug, "version": VERSION_OF[status.value], **extra}},
            headers=editor,
        )
        errors = data[name]["errors"]
        if (action, status.value) in LEGAL:
            assert errors == [], (action, status)
            async with sessions() as session:
                after = await session.scalar(select(Article.status).where(Article.slug == slug))
            expected = LEGAL[(action, status.value)]
            assert after == (expected.lower() if expected else None), (action, status)
        else:
            assert errors == [{"code": "INVALID_TRANSITION"}], (action, status)
            assert await table_digests(engine) == before, (action, status)


async def test_four_eyes(
    demo: str,
    gql: GraphQLClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    for email in ("ani@kukar.go.id", "budi@kukar.go.id", "citra@kukar.go.id"):
        await add_account(sessions, settings, email, roles={"diskominfo-kukar": MemberRole.EDITOR})
    ani, budi, citra = [
        await headers_for(gql, f"{name}@kukar.go.id") for name in ("ani", "budi", "citra")
    ]
    created = await gql(
        CREATE,
        {"input": {"agencySlug": "diskominfo-kukar", "title": "Tulisan Ani", "body": "<p>x</p>"}},
        headers=ani,
    )
    slug = created["createArticle"]["article"]["slug"]
    # Budi submits Ani's draft: neither the author nor the submitter may approve it.
    assert (await gql(SUBMIT, {"input": {"slug": slug, "version": 1}}, headers=budi))[
        "submitArticle"
    ]["errors"] == []
    for own in (ani, budi):
        before = await table_digests(engine)
        refused = await gql(APPROVE, {"input": {"slug": slug, "version": 2}}, headers=own)
        assert [e["code"] for e in refused["approveArticle"]["errors"]] == ["OWN_ARTICLE"]
        assert await table_digests(engine) == before
    approved = await gql(APPROVE, {"input": {"slug": slug, "version": 2}}, headers=citra)
    assert approved["approveArticle"]["errors"] == []
    assert approved["approveArticle"]["article"]["status"] == "APPROVED"


async def test_concurrent_updates_one_wins_one_conflicts(
    editor: dict[str, str], gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_article(
        sessions, agency_slug="diskominfo-kukar", slug="rebutan", status=ArticleStatus.DRAFT
    )
    titles = ["Judul versi pertama", "Judul versi kedua"]
    results = await asyncio.gather(
        *(
            gql(
                UPDATE, {"input": {"slug": "rebutan", "version": 1, "title": title}}, headers=editor
            )
            for title in titles
        )
    )
    payloads = [result["updateArticle"] for result in results]
    winners = [p for p in payloads if not p["errors"]]
    losers = [p for p in payloads if p["errors"]]
    assert len(winners) == 1
    assert len(losers) == 1
    assert [(e["field"], e["code"]) for e in losers[0]["errors"]] == [("version", "CONFLICT")]
    assert losers[0]["article"] is None
    async with sessions() as session:
        stored = (await session.scalars(select(Article).where(Article.slug == "rebutan"))).one()
    assert (stored.version, stored.title) == (2, winners[0]["article"]["title"])

    stale = await gql(
        UPDATE, {"input": {"slug": "rebutan", "version": 1, "title": "Terlambat"}}, headers=editor
    )
    assert stale["updateArticle"]["errors"][0]["code"] == "CONFLICT"


async def test_idempotent_create_retried_concurrently_creates_one_row(
    editor: dict[str, str], gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    create = {
        "agencySlug": "diskominfo-kukar",
        "title": "Sosialisasi Pemilu di Tenggarong",
        "body": "<p>Isi</p>",
        "idempotencyKey": "7a1c9e2b-retry",
    }
    results = await asyncio.gather(
        *(gql(CREATE, {"input": create}, headers=editor) for _ in range(5))
    )
    slugs = {result["createArticle"]["article"]["slug"] for result in results}
    assert slugs == {"sosialisasi-pemilu-di-tenggarong"}
    assert all(result["createArticle"]["errors"] == [] for result in results)
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Article))
        assert count == 3  # the two demo articles and this one

    reused = await gql(
        CREATE, {"input": {**create, "title": "Judul lain sama sekali"}}, headers=editor
    )
    assert [(e["field"], e["code"]) for e in reused["createArticle"]["errors"]] == [
        ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
    ]
    other = await gql(CREATE, {"input": {**create, "idempotencyKey": "another"}}, headers=editor)
    assert other["createArticle"]["article"]["slug"] == "sosialisasi-pemilu-di-tenggarong-2"


async def test_bodies_are_sanitised(editor: dict[str, str], gql: GraphQLClient) -> None:
    body = (
        '<p onclick="steal()">Warga <strong>diimbau</strong> memilih.'
        '<a href="javascript:alert(1)">klik</a> <a href="https://kpu.go.id">KPU</a></p>'
        "<script>document.cookie</script><style>p{}</style><iframe src='https://x'></iframe>"
        '<img src="https://kukarkab.go.id/a.jpg" onerror="alert(1)">'
    )
    created = await gql(
        CREATE,
        {"input": {"agencySlug": "diskominfo-kukar", "title": "Ajakan memilih", "body": body}},
        headers=editor,
    )
    stored = created["createArticle"]["article"]["body"]
    assert stored == (
        '<p>Warga <strong>diimbau</strong> memilih.<a rel="noopener noreferrer">klik</a> '
        '<a href="https://kpu.go.id" rel="noopener noreferrer">KPU</a></p>'
        '<img src="https://kukarkab.go.id/a.jpg">'
    )
    only_script = await gql(
        CREATE,
        {
            "input": {
                "agencySlug": "diskominfo-kukar",
                "title": "Kosong",
                "body": "<script>alert(1)</script>",
            }
        },
        headers=editor,
    )
    assert [(e["field"], e["code"]) for e in only_script["createArticle"]["errors"]] == [
        ("body", "REQUIRED")
    ]


async def test_bad_input_lists_every_problem_and_changes_nothing(
    editor: dict[str, str], gql: GraphQLClient, engine: AsyncEngine
) -> None:
    before = await table_digests(engine)
    result = await gql(
        CREATE,
        {
            "input": {
                "agencySlug": "diskominfo-kukar",
                "title": "  ",
                "body": "<p>Isi</p>",
                "summary": "x" * 1001,
                "slug": "Bukan Slug",
                "canonicalUrl": "ftp://contoh",
                "eventSlug": "acara-fiktif",
                "regionCodes": ["64.02", "99.99"],
                "stageCodes": ["kampanye", "tahap-fiktif"],
                "tagSlugs": ["label-fiktif"],
                "quotedPeople": [
                    {"personSlug": "orang-fiktif", "kind": "QUOTED", "quote": "Halo"},
                    {"personSlug": "romdani", "kind": "QUOTED"},
                    {"personSlug": "sri-wahyuni", "kind": "MENTIONED", "quote": "Tidak boleh"},
                ],
            }
        },
        headers=editor,
    )
    payload = result["createArticle"]
    assert payload["article"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("slug", "INVALID_FORMAT"),
        ("title", "REQUIRED"),
        ("summary", "TOO_LONG"),
        ("canonicalUrl", "INVALID_FORMAT"),
        ("eventSlug", "UNKNOWN_REFERENCE"),
        ("regionCodes", "UNKNOWN_REFERENCE"),
        ("stageCodes", "UNKNOWN_REFERENCE"),
        ("tagSlugs", "UNKNOWN_REFERENCE"),
        ("quotedPeople.0.personSlug", "UNKNOWN_REFERENCE"),
        ("quotedPeople.1.quote", "REQUIRED"),
        ("quotedPeople.2.quote", "INVALID_INPUT"),
    ]
    assert "`99.99`" in payload["errors"][5]["message"]
    assert "64.02" not in payload["errors"][5]["message"]
    assert await table_digests(engine) == before


RETRACT = mutation("retractArticle", "ArticleReasonInput")
REJECT = mutation("rejectArticle", "ArticleReasonInput")
VIEW = """
mutation ($slug: String!) {
  recordArticleView(input: {slug: $slug}) { viewCount errors { field code } }
}
"""
PUBLIC_READ = """
query ($slug: String!) {
  article(slug: $slug) { status retractionReason retractedAt history { toStatus reason } }
}
"""


async def test_retracted_stays_public_with_its_reason_and_views_count_published_only(
    editor: dict[str, str],
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for slug, status in (("terbit", ArticleStatus.APPROVED), ("usulan", ArticleStatus.SUBMITTED)):
        await add_article(
            sessions,
            agency_slug="diskominfo-kukar",
            slug=slug,
            status=status,
            author_email="penulis@kukar.go.id",
        )
    counts = [(await gql(VIEW, {"slug": "terbit"}))["recordArticleView"] for _ in range(2)]
    assert [count["viewCount"] for count in counts] == [1, 2]
    assert (await gql(VIEW, {"slug": "usulan"}))["recordArticleView"]["errors"] == [
        {"field": "slug", "code": "NOT_FOUND"}  # a submission does not exist for the public
    ]
    assert (await gql(VIEW, {"slug": "usulan"}, headers=editor))["recordArticleView"]["errors"] == [
        {"field": "slug", "code": "NOT_PUBLISHED"}
    ]

    missing_reason = await gql(
        RETRACT, {"input": {"slug": "terbit", "version": 3, "reason": "  "}}, headers=editor
    )
    assert [(e["field"], e["code"]) for e in missing_reason["retractArticle"]["errors"]] == [
        ("reason", "REQUIRED")
    ]
    retracted = await gql(
        RETRACT,
        {"input": {"slug": "terbit", "version": 3, "reason": "Data jumlah pemilih keliru"}},
        headers=editor,
    )
    assert retracted["retractArticle"]["article"]["status"] == "RETRACTED"
    public = (await gql(PUBLIC_READ, {"slug": "terbit"}))["article"]
    assert public["status"] == "RETRACTED"
    assert public["retractionReason"] == "Data jumlah pemilih keliru"
    assert public["retractedAt"] is not None
    assert public["history"] is None
    assert (await gql(VIEW, {"slug": "terbit"}))["recordArticleView"]["errors"][0]["code"] == (
        "NOT_PUBLISHED"
    )

    await gql(
        REJECT,
        {"input": {"slug": "usulan", "version": 2, "reason": "Tambahkan kutipan KPU"}},
        headers=editor,
    )
    own = (await gql(PUBLIC_READ, {"slug": "usulan"}, headers=editor))["article"]
    assert own["status"] == "REJECTED"
    assert own["history"][-1] == {"toStatus": "REJECTED", "reason": "Tambahkan kutipan KPU"}
    assert (await gql(PUBLIC_READ, {"slug": "usulan"}))["article"] is None


async def test_concurrent_creates_of_one_title_get_distinct_slugs(
    editor: dict[str, str], gql: GraphQLClient
) -> None:
    create = {"agencySlug": "diskominfo-kukar", "title": "Rapat Pleno KPU", "body": "<p>x</p>"}
    results = await asyncio.gather(
        *(gql(CREATE, {"input": create}, headers=editor) for _ in range(4))
    )
    assert all(result["createArticle"]["errors"] == [] for result in results)
    slugs = sorted(result["createArticle"]["article"]["slug"] for result in results)
    assert slugs == [
        "rapat-pleno-kpu",
        "rapat-pleno-kpu-2",
        "rapat-pleno-kpu-3",
        "rapat-pleno-kpu-4",
    ]
    taken = await gql(CREATE, {"input": {**create, "slug": "rapat-pleno-kpu"}}, headers=editor)
    assert [(e["field"], e["code"]) for e in taken["createArticle"]["errors"]] == [
        ("slug", "DUPLICATE")
    ]
