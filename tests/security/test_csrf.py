"""Cross-site requests: a browser page elsewhere cannot make Hub change anything. Mutations
are POST-only with a JSON body (so a cross-site form or a plain-text POST is refused before
GraphQL runs, and a JSON one needs a CORS preflight that Hub never grants); Hub reads
credentials from the ``Authorization`` header only, never from cookies."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, ensure_agency, headers_for
from tests.helpers import GraphQLClient, table_digests

MUTATION = 'mutation { createTag(input: {label: "Tag lintas situs"}) { tag { slug } } }'
EVIL = "https://evil.example"


async def test_no_simple_request_changes_anything(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kukar")
    await add_account(
        sessions, settings, "editor@kukar.go.id", roles={"diskominfo-kukar": MemberRole.EDITOR}
    )
    token = await headers_for(gql, "editor@kukar.go.id")
    before = await table_digests(engine)
    origin = {"Origin": EVIL}
    get = await http.get("/graphql", params={"query": MUTATION}, headers={**token, **origin})
    assert get.status_code == 405
    for content_type, content in (
        ("application/x-www-form-urlencoded", f"query={MUTATION}"),
        (
            "multipart/form-data; boundary=x",
            f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{MUTATION}\r\n--x--',
        ),
        ("text/plain", f'{{"query": "{MUTATION.replace(chr(34), chr(92) + chr(34))}"}}'),
    ):
        response = await http.post(
            "/graphql", content=content, headers={"content-type": content_type, **token, **origin}
        )
        assert response.status_code == 415, (content_type, response.text)
    # a cookie is no credential: the same mutation as JSON with only a cookie is anonymous
    cookie = await http.post(
        "/graphql",
        json={"query": MUTATION.replace("tag { slug }", "tag { slug } errors { code }")},
        headers={"Cookie": f"token={token['Authorization'].split()[1]}", **origin},
    )
    assert cookie.json()["data"]["createTag"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert await table_digests(engine) == before


async def test_preflights_are_never_granted(http: httpx.AsyncClient) -> None:
    response = await http.options(
        "/graphql",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 405
    assert not any(name.startswith("access-control-") for name in response.headers)
