"""Login, token expiry, refresh rotation, revocation, API keys: bad credentials never get data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import credentials
from hub.db.models import ApiKey
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, MemberRole
from tests.factories import LOGIN, PASSWORD, add_account, add_api_key, bearer, login
from tests.helpers import GraphQLClient

ME = "{ me { email roles { role agency { slug } } } }"
REFRESH = """
mutation ($token: String!) {
  refreshToken(input: {refreshToken: $token}) { accessToken refreshToken errors { field code } }
}
"""
LOGOUT = "mutation { logout { ok errors { code } } }"
CHANGE_PASSWORD = """
mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    accessToken refreshToken errors { field code message }
  }
}
"""


async def refused(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """The error code of a request refused at authentication (HTTP 401, no data)."""
    response = await http.post("/graphql", json={"query": ME}, headers=headers)
    assert response.status_code == 401, response.text
    body = response.json()
    assert "data" not in body
    assert response.headers["www-authenticate"].startswith("Bearer")
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def test_login_and_me(
    database_url: str,
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "Ani@Kaltim.go.id")
    wrong = (await gql(LOGIN, {"email": "ani@kaltim.go.id", "password": "salah sekali"}))["login"]
    assert wrong["accessToken"] is None
    assert [error["code"] for error in wrong["errors"]] == ["INVALID_CREDENTIALS"]
    unknown = (await gql(LOGIN, {"email": "siapa@kaltim.go.id", "password": PASSWORD}))["login"]
    assert unknown["errors"] == wrong["errors"]  # no hint whether the e-mail exists

    tokens = await login(gql, "ani@kaltim.go.id")  # e-mail is case-insensitive
    me = (await gql(ME, headers=bearer(tokens["accessToken"])))["me"]
    assert me == {"email": "Ani@Kaltim.go.id", "roles": []}
    assert (await gql(ME))["me"] is None


async def test_expired_and_forged_access_tokens_are_refused(
    database_url: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "ani@kaltim.go.id")
    tokens = await login(gql, "ani@kaltim.go.id")
    claims = credentials.read_access_token(settings, tokens["accessToken"])
    expired, _ = credentials.issue_access_token(
        settings,
        account_id=claims.account_id,
        session_id=claims.session_id,
        now=datetime.now(UTC) - timedelta(seconds=settings.access_token_ttl + 5),
    )
    forged, _ = credentials.issue_access_token(
        Settings(secret_key="another-secret-key-of-sufficient-length"),
        account_id=claims.account_id,
        session_id=claims.session_id,
    )
    assert await refused(http, bearer(expired)) == "UNAUTHENTICATED"
    assert await refused(http, bearer(forged)) == "UNAUTHENTICATED"
    assert await refused(http, bearer("not-a-token")) == "UNAUTHENTICATED"
    assert await refused(http, {"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}) == (
        "UNAUTHENTICATED"
    )
    response = await http.post("/graphql", json={"query": ME}, headers=bearer(expired))
    assert "expired" in response.json()["errors"][0]["message"]


async def test_refresh_rotates_and_reuse_ends_the_session(
    database_url: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "ani@kaltim.go.id")
    first = await login(gql, "ani@kaltim.go.id")
    second = (await gql(REFRESH, {"token": first["refreshToken"]}))["refreshToken"]
    assert second["errors"] == []
    assert second["refreshToken"] != first["refreshToken"]
    assert (await gql(ME, headers=bearer(second["accessToken"])))["me"] is not None

    # The old refresh token again: treated as stolen, the whole session ends.
    reused = (await gql(REFRESH, {"token": first["refreshToken"]}))["refreshToken"]
    assert [error["code"] for error in reused["errors"]] == ["UNAUTHENTICATED"]
    assert reused["accessToken"] is None
    assert await refused(http, bearer(second["accessToken"])) == "UNAUTHENTICATED"
    third = (await gql(REFRESH, {"token": second["refreshToken"]}))["refreshToken"]
    assert [error["code"] for error in third["errors"]] == ["UNAUTHENTICATED"]

    garbage = (await gql(REFRESH, {"token": "garbage"}))["refreshToken"]
    assert garbage["errors"] == [{"field": "refreshToken", "code": "UNAUTHENTICATED"}]


async def test_logout_revokes_the_session_only(
    database_url: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "ani@kaltim.go.id")
    phone = await login(gql, "ani@kaltim.go.id")
    laptop = await login(gql, "ani@kaltim.go.id")
    assert (await gql(LOGOUT, headers=bearer(phone["accessToken"])))["logout"] == {
        "ok": True,
        "errors": [],
    }
    assert await refused(http, bearer(phone["accessToken"])) == "UNAUTHENTICATED"
    after = (await gql(REFRESH, {"token": phone["refreshToken"]}))["refreshToken"]
    assert [error["code"] for error in after["errors"]] == ["UNAUTHENTICATED"]
    assert (await gql(ME, headers=bearer(laptop["accessToken"])))["me"] is not None


async def test_password_change_revokes_every_session(
    database_url: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "ani@kaltim.go.id")
    phone = await login(gql, "ani@kaltim.go.id")
    laptop = await login(gql, "ani@kaltim.go.id")
    headers = bearer(laptop["accessToken"])

    weak = await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": "pendek"}, headers=headers)
    assert [(e["field"], e["code"]) for e in weak["changePassword"]["errors"]] == [
        ("newPassword", "TOO_SHORT")
    ]
    wrong = await gql(
        CHANGE_PASSWORD, {"current": "bukan sandinya", "new": "sandi baru panjang"}, headers=headers
    )
    assert [(e["field"], e["code"]) for e in wrong["changePassword"]["errors"]] == [
        ("currentPassword", "INVALID_CREDENTIALS")
    ]
    assert (await gql(ME, headers=bearer(phone["accessToken"])))["me"] is not None  # unchanged

    changed = (
        await gql(
            CHANGE_PASSWORD, {"current": PASSWORD, "new": "sandi baru panjang"}, headers=headers
        )
    )["changePassword"]
    assert changed["errors"] == []
    for old in (phone, laptop):
        assert await refused(http, bearer(old["accessToken"])) == "UNAUTHENTICATED"
    assert (await gql(ME, headers=bearer(changed["accessToken"])))["me"] is not None
    assert (await login(gql, "ani@kaltim.go.id", "sandi baru panjang"))["accessToken"]
    old_password = await gql(LOGIN, {"email": "ani@kaltim.go.id", "password": PASSWORD})
    assert old_password["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


CREATE_KEY = """
mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { prefix name scopes lastUsedAt } errors { field code } }
}
"""
REVOKE_KEY = """
mutation ($prefix: String!) {
  revokeApiKey(input: {prefix: $prefix}) { apiKey { revokedAt } errors { code } }
}
"""
KEYS = 'query { apiKeys(agencySlug: "diskominfo-kukar") { prefix lastUsedAt revokedAt } }'


async def test_api_key_shown_once_used_revoked(
    demo: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(
        sessions, settings, "admin@kukar.go.id", roles={"diskominfo-kukar": MemberRole.ADMIN}
    )
    admin = bearer((await login(gql, "admin@kukar.go.id"))["accessToken"])
    created = (
        await gql(
            CREATE_KEY,
            {
                "input": {
                    "agencySlug": "diskominfo-kukar",
                    "name": "Portal Kukar",
                    "scopes": ["READ_DRAFTS", "SUBMIT_ARTICLES"],
                }
            },
            headers=admin,
        )
    )["createApiKey"]
    assert created["errors"] == []
    key, prefix = created["key"], created["apiKey"]["prefix"]
    assert key.startswith(f"hubk_{prefix}_")
    async with sessions() as session:
        stored = (await session.scalars(select(ApiKey).where(ApiKey.prefix == prefix))).one()
    assert key not in (stored.key_hash, stored.prefix)  # only a digest is kept

    assert (await gql(ME, headers=bearer(key)))["me"] is None  # a key is not an account
    listed = (await gql(KEYS, headers=admin))["apiKeys"]
    assert listed[0]["prefix"] == prefix
    assert listed[0]["lastUsedAt"] is not None
    assert "key" not in listed[0]

    revoked = (await gql(REVOKE_KEY, {"prefix": prefix}, headers=admin))["revokeApiKey"]
    assert revoked["errors"] == []
    assert revoked["apiKey"]["revokedAt"] is not None
    assert await refused(http, bearer(key)) == "UNAUTHENTICATED"
    assert await refused(http, bearer(key[:-1] + ("A" if key[-1] != "A" else "B"))) == (
        "UNAUTHENTICATED"
    )


async def test_expired_api_key_is_refused(
    demo: str, http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    key = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
    response = await http.post("/graphql", json={"query": ME}, headers=bearer(key))
    assert response.status_code == 200
    async with sessions() as session, session.begin():
        await session.execute(
            update(ApiKey).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert await refused(http, bearer(key)) == "UNAUTHENTICATED"
