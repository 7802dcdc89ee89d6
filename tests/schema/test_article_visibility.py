"""No unpublished article leaks through any read path to anyone not entitled to it.

Each read path is one query; each viewer sees exactly the statuses the rules give them. Read
paths added later (``node(id:)``, search, related coverage) belong in ``READ_PATHS``. Related
coverage is decided among published articles only (when they are published): it shows no
unpublished article to anyone.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article, Event
from hub.db.repositories.article_index import index_unindexed
from hub.resolvers.global_id import encode
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from tests.factories import (
    add_account,
    add_api_key,
    add_article,
    bearer,
    headers_for,
    set_provincial_review,
)
from tests.helpers import GraphQLClient

DEMO_ARTICLE = "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"

# Each read path returns the slugs it shows (``{ids}`` becomes the test articles' global IDs).
READ_PATHS = {
    "list": (
        "{ articles(first: 100) { nodes { slug } } }",
        lambda data: [a["slug"] for a in data["articles"]["nodes"]],
    ),
    "nested": (
        '{ event(slug: "forum-bakohumas-kaltim-2023") '
        "{ articles(first: 100) { nodes { slug } } } }",
        lambda data: [a["slug"] for a in data["event"]["articles"]["nodes"]],
    ),
    "single": (
        "{ "
        + " ".join(f'{s}: article(slug: "kukar-{s}") {{ slug }}' for s in ArticleStatus)
        + " }",
        lambda data: [item["slug"] for item in data.values() if item],
    ),
    "node": (
        "{ nodes(ids: [{ids}]) { ... on Article { slug } } }",
        lambda data: [item["slug"] for item in data["nodes"] if item],
    ),
    "search": (
        '{ articles(search: "kukar", first: 100) { nodes { slug } } }',
        lambda data: [a["slug"] for a in data["articles"]["nodes"]],
    ),
    "search everything": (
        '{ search(query: "kukar", first: 100) { edges { node { ... on Article { slug } } } } }',
        lambda data: [e["node"]["slug"] for e in data["search"]["edges"] if e["node"]],
    ),
    "related coverage": (
        f'{{ article(slug: "{DEMO_ARTICLE}") {{ relatedCoverage(first: 100) '
        "{ edges { node { slug } } } } }",
        lambda data: [e["node"]["slug"] for e in data["article"]["relatedCoverage"]["edges"]],
    ),
}

PUBLIC = {"approved", "retracted"}
EVERYTHING = {status.value for status in ArticleStatus}


async def test_unpublished_articles_reach_only_those_entitled(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await set_provincial_review(sessions, "diskominfo-kukar")
    ids = [
        await add_article(
            sessions, agency_slug="diskominfo-kukar", slug=f"kukar-{status.value}", status=status
        )
        for status in ArticleStatus
    ]
    global_ids = ", ".join(f'"{encode("Article", key)}"' for key in ids)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Article)
            .where(Article.slug.like("kukar-%"))
            .values(
                event_id=select(Event.id)
                .where(Event.slug == "forum-bakohumas-kaltim-2023")
                .scalar_subquery()
            )
        )
        await index_unindexed(session)  # as their approval would have
    viewers = {
        "anonymous": None,
        "contributor": {"diskominfo-kukar": MemberRole.CONTRIBUTOR},
        "other agency's admin": {"diskominfo-ppu": MemberRole.ADMIN},
        "provincial reviewer": {"diskominfo-kaltim": MemberRole.EDITOR},
        "provincial contributor": {"diskominfo-kaltim": MemberRole.CONTRIBUTOR},
        "platform admin": {},
    }
    expected = {
        "anonymous": PUBLIC,
        "contributor": EVERYTHING,
        "other agency's admin": PUBLIC,
        "provincial reviewer": PUBLIC | {"submitted", "rejected"},
        "provincial contributor": PUBLIC,
        "platform admin": PUBLIC,
        "key with drafts scope": EVERYTHING,
        "key without drafts scope": PUBLIC,
        "other agency's key": PUBLIC,
    }
    headers: dict[str, dict[str, str] | None] = {}
    for index, (name, roles) in enumerate(viewers.items()):
        if roles is None:
            headers[name] = None
            continue
        email = f"viewer{index}@hub.go.id"
        await add_account(
            sessions, settings, email, roles=roles, platform_admin=name == "platform admin"
        )
        headers[name] = await headers_for(gql, email)
    for name, agency, scopes in (
        ("key with drafts scope", "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS]),
        ("key without drafts scope", "diskominfo-kukar", [ApiKeyScope.WRITE_EVENTS]),
        ("other agency's key", "diskominfo-ppu", list(ApiKeyScope)),
    ):
        headers[name] = bearer(await add_api_key(sessions, agency, scopes))

    for viewer, viewer_headers in headers.items():
        for path, (query, slugs_of) in READ_PATHS.items():
            shown = {
                slug.removeprefix("kukar-")
                for slug in slugs_of(
                    await gql(query.replace("{ids}", global_ids), headers=viewer_headers)
                )
                if slug.startswith("kukar-")
            }
            entitled = PUBLIC if path == "related coverage" else expected[viewer]
            assert shown == entitled, (viewer, path)
