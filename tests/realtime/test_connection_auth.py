"""Credentials over WebSocket: ``connection_init``'s ``authorization`` names the viewer;
bad, expired or revoked ones close the socket with 4403 and the reason, never data."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import ConnectionClosed

from hub.db.models import ApiKey
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, MemberRole
from tests.factories import add_account, add_api_key, bearer, ensure_agency, login
from tests.helpers import GraphQLClient
from tests.live_client import LEGACY_WS, LiveClient

Sessions = async_sessionmaker[AsyncSession]
EMAIL = "redaktur@koneksi.go.id"
ME = "{ me { email } }"


@pytest.fixture
async def http(address: str) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=60) as client:
        yield GraphQLClient(client)


@pytest.fixture
async def account(sessions: Sessions, live_settings: Settings) -> str:
    await ensure_agency(sessions, slug="diskominfo-koneksi")
    await add_account(
        sessions, live_settings, EMAIL, roles={"diskominfo-koneksi": MemberRole.EDITOR}
    )
    return EMAIL


async def refused(url: str, payload: Any, protocol: str = "graphql-transport-ws") -> list[Any]:
    """Send ``connection_init`` with ``payload``; expect 4403. Returns what came before."""
    async with LiveClient.connect(url, protocol=protocol, init=False) as client:
        await client.send({"type": "connection_init", "payload": payload})
        received = []
        try:
            while True:
                received.append(json.loads(await client.websocket.recv()))
        except ConnectionClosed as closed:
            frame = closed.rcvd
        assert frame is not None
        assert frame.code == 4403, frame
        assert frame.reason.startswith("Forbidden: "), frame
        return [frame.reason, *received]


async def answer(client: LiveClient, query: str) -> Any:
    await client.subscribe("q", query)
    message = await client.receive()
    assert message["type"] == "next", message
    assert (await client.receive())["type"] == "complete"
    return message["payload"]["data"]


async def test_bad_credentials_close_with_4403_and_a_reason(
    address: str, http: GraphQLClient, sessions: Sessions, account: str
) -> None:
    url = f"ws://{address}/graphql"
    reason, *before = await refused(url, {"authorization": "Bearer bukan-token"})
    assert "not valid" in reason
    assert before == []  # no acknowledgement, no data
    reason, *_ = await refused(url, {"Authorization": "Basic dXNlcjpwdw=="})
    assert "Bearer" in reason
    reason, *_ = await refused(url, {"authorization": 12345})
    assert "must be a string" in reason

    token = (await login(http, account))["accessToken"]
    await http("mutation { logout { errors { code } } }", headers=bearer(token))
    reason, *_ = await refused(url, {"authorization": f"Bearer {token}"})
    assert "log in again" in reason

    key = await add_api_key(sessions, "diskominfo-koneksi", [ApiKeyScope.READ_DRAFTS])
    async with sessions() as session, session.begin():
        await session.execute(update(ApiKey).values(revoked_at=ApiKey.created_at))
    reason, *_ = await refused(url, {"authorization": f"Bearer {key}"})
    assert "revoked" in reason

    # The legacy protocol says why in a connection_error first.
    reason, error = await refused(url, {"authorization": "Bearer x"}, protocol=LEGACY_WS)
    assert error == {"type": "connection_error", "payload": {"message": reason[11:]}}


async def test_good_credentials_name_the_viewer_of_every_operation(
    address: str, http: GraphQLClient, sessions: Sessions, account: str
) -> None:
    url = f"ws://{address}/graphql"
    token = (await login(http, account))["accessToken"]
    async with LiveClient.connect(url, init=False) as client:
        await client.initialise({"Authorization": f"Bearer {token}"})
        assert await answer(client, ME) == {"me": {"email": EMAIL}}
        # The credential is checked again for each operation: once the login has ended,
        # new operations are refused (the socket stays open).
        await http("mutation { logout { errors { code } } }", headers=bearer(token))
        await client.subscribe("after-logout", ME)
        message = await client.receive()
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    key = await add_api_key(sessions, "diskominfo-koneksi", [ApiKeyScope.READ_DRAFTS])
    async with LiveClient.connect(url, init=False) as client:
        await client.initialise({"authorization": f"Bearer {key}"})
        assert await answer(client, ME) == {"me": None}  # a key is not an account
    async with LiveClient.connect(url) as anonymous:
        assert await answer(anonymous, ME) == {"me": None}
