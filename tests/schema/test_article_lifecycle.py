"""An article's whole life over HTTP: a regency contributor drafts, the province reviews and
approves, an editor corrects; visibility, history and the outbox checked at each step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import OutboxEntry
from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, headers_for, set_provincial_review
from tests.helpers import GraphQLClient

ARTICLE_FIELDS = """
  slug title body status version summary correctionNote correctedAt publishedAt
  agency { slug } event { slug } regions { code } tags { slug } electionStages { code }
"""

CREATE = f"""
mutation ($input: CreateArticleInput!) {{
  createArticle(input: $input) {{ article {{ {ARTICLE_FIELDS} }} errors {{ field code message }} }}
}}
"""


def action(name: str, input_type: str = "ArticleActionInput") -> str:
    return f"""
mutation ($input: {input_type}!) {{
  {name}(input: $input) {{ article {{ {ARTICLE_FIELDS} }} errors {{ field code message }} }}
}}
"""


READ = """
query ($slug: String!) {
  article(slug: $slug) { slug status version correctionNote
    history { fromStatus toStatus actor reason articleVersion } }
  articles(first: 50) { nodes { slug } }
  event(slug: "forum-bakohumas-kaltim-2023") { articles(first: 50) { nodes { slug } } }
}
"""


async def read(gql: GraphQLClient, slug: str, headers: dict[str, str] | None) -> dict[str, Any]:
    data = await gql(READ, {"slug": slug}, headers=headers)
    return {
        "article": data["article"],
        "listed": slug in {item["slug"] for item in data["articles"]["nodes"]},
        "nested": slug in {item["slug"] for item in data["event"]["articles"]["nodes"]},
    }


async def mutate(
    gql: GraphQLClient, document: str, input: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    data = await gql(document, {"input": input}, headers=headers)
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


async def test_regency_draft_to_provincial_approval_and_correction(
    demo: str,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await set_provincial_review(sessions, "diskominfo-kukar")
    await add_account(
        sessions, settings, "rina@kukar.go.id", roles={"diskominfo-kukar": MemberRole.CONTRIBUTOR}
    )
    await add_account(
        sessions, settings, "budi@kukar.go.id", roles={"diskominfo-kukar": MemberRole.EDITOR}
    )
    await add_account(
        sessions, settings, "sari@kaltim.go.id", roles={"diskominfo-kaltim": MemberRole.EDITOR}
    )
    await add_account(
        sessions, settings, "eko@ppu.go.id", roles={"diskominfo-ppu": MemberRole.EDITOR}
    )
    contributor = await headers_for(gql, "rina@kukar.go.id")
    kukar_editor = await headers_for(gql, "budi@kukar.go.id")
    province = await headers_for(gql, "sari@kaltim.go.id")
    other_agency = await headers_for(gql, "eko@ppu.go.id")

    created = await mutate(
        gql,
        CREATE,
        {
            "agencySlug": "diskominfo-kukar",
            "title": "Diskominfo Kukar Latih Pranata Humas Desa",
            "summary": "Pelatihan penulisan berita untuk humas desa.",
            "body": "<p>Pelatihan berlangsung di Tenggarong.</p><script>alert(1)</script>",
            "eventSlug": "forum-bakohumas-kaltim-2023",
            "regionCodes": ["64.02"],
            "tagSlugs": ["kehumasan"],
            "stageCodes": ["kampanye"],
        },
        contributor,
    )
    assert created["errors"] == []
    draft = created["article"]
    slug = draft["slug"]
    assert slug == "diskominfo-kukar-latih-pranata-humas-desa"
    assert (draft["status"], draft["version"]) == ("DRAFT", 1)
    assert draft["body"] == "<p>Pelatihan berlangsung di Tenggarong.</p>"
    assert draft["regions"] == [{"code": "64.02"}]

    # A draft: the agency sees it everywhere; the public, other agencies and the province don't.
    seen = await read(gql, slug, kukar_editor)
    assert seen["article"]["status"] == "DRAFT"
    assert seen["listed"]
    assert seen["nested"]
    for outsider in (None, other_agency, province):
        assert await read(gql, slug, outsider) == {
            "article": None,
            "listed": False,
            "nested": False,
        }

    submitted = await mutate(
        gql, action("submitArticle"), {"slug": slug, "version": 1}, contributor
    )
    assert submitted["errors"] == []
    assert submitted["article"]["status"] == "SUBMITTED"

    # Submitted: now the provincial reviewer sees it (Kukar asked for provincial review).
    assert (await read(gql, slug, province))["article"]["status"] == "SUBMITTED"
    assert (await read(gql, slug, None))["article"] is None
    assert (await read(gql, slug, other_agency))["article"] is None

    # The contributor cannot approve; the other agency cannot even find it.
    refused = await mutate(gql, action("approveArticle"), {"slug": slug, "version": 2}, contributor)
    assert [error["code"] for error in refused["errors"]] == ["FORBIDDEN"]
    hidden = await mutate(gql, action("approveArticle"), {"slug": slug, "version": 2}, other_agency)
    assert [error["code"] for error in hidden["errors"]] == ["NOT_FOUND"]

    approved = await mutate(gql, action("approveArticle"), {"slug": slug, "version": 2}, province)
    assert approved["errors"] == []
    assert approved["article"]["status"] == "APPROVED"
    assert approved["article"]["publishedAt"] is not None

    public = await read(gql, slug, None)
    assert public["article"]["status"] == "APPROVED"
    assert public["listed"]
    assert public["nested"]
    assert public["article"]["history"] is None  # the workflow log is internal

    corrected = await mutate(
        gql,
        action("correctArticle", "CorrectArticleInput"),
        {
            "slug": slug,
            "version": 3,
            "note": "Lokasi pelatihan diperbaiki.",
            "body": "<p>Pelatihan berlangsung di Samarinda.</p>",
        },
        kukar_editor,
    )
    assert corrected["errors"] == []
    assert corrected["article"]["version"] == 4
    assert corrected["article"]["body"] == "<p>Pelatihan berlangsung di Samarinda.</p>"
    assert corrected["article"]["correctionNote"] == "Lokasi pelatihan diperbaiki."
    assert corrected["article"]["status"] == "APPROVED"

    history = (await read(gql, slug, contributor))["article"]["history"]
    assert [(step["fromStatus"], step["toStatus"], step["articleVersion"]) for step in history] == [
        (None, "DRAFT", 1),
        ("DRAFT", "SUBMITTED", 2),
        ("SUBMITTED", "APPROVED", 3),
        ("APPROVED", "APPROVED", 4),
    ]
    assert [step["actor"] for step in history] == ["Rina", "Rina", "Sari", "Budi"]
    assert history[-1]["reason"] == "Lokasi pelatihan diperbaiki."

    async with sessions() as session:
        kinds = (
            await session.scalars(
                select(OutboxEntry.kind)
                .where(OutboxEntry.payload["slug"].astext == slug)
                .order_by(OutboxEntry.id)
            )
        ).all()
    assert kinds == ["article.submitted", "article.approved", "article.corrected"]
