"""No unpublished article leaks through any read path to anyone not entitled to it.

Each read path is one query; each viewer sees exactly the statuses the rules give them. Read
paths added later (``node(id:)``, search, related coverage) belong in ``READ_PATHS``.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article, Event
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

# Each read path returns the slugs it shows.
READ_PATHS = {
    "list": (
        "{ articles(first: 100) { slug } }",
        lambda data: [a["slug"] for a in data["articles"]],
    ),
    "nested": (
        '{ event(slug: "forum-bakohumas-kaltim-2023") { articles { slug } } }',
        lambda data: [a["slug"] for a in data["event"]["articles"]],
    ),
    "single": (
        "{ "
        + " ".join(f'{s}: article(slug: "kukar-{s}") {{ slug }}' for s in ArticleStatus)
        + " }",
        lambda data: [item["slug"] for item in data.values() if item],
    ),
}

PUBLIC = {"approved", "retracted"}
EVERYTHING = {status.value for status in ArticleStatus}


async def test_unpublished_articles_reach_only_those_entitled(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await set_provincial_review(sessions, "diskominfo-kukar")
    for status in ArticleStatus:
        await add_article(
            sessions, agency_slug="diskominfo-kukar", slug=f"kukar-{status.value}", status=status
        )
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
                for slug in slugs_of(await gql(query, headers=viewer_headers))
                if slug.startswith("kukar-")
            }
            assert shown == expected[viewer], (viewer, path)
