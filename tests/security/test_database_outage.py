"""The database going away (a real interruption, through a proxy that drops every connection
and refuses new ones): every kind of caller gets a GraphQL-shaped ``SERVICE_UNAVAILABLE`` with
HTTP 503 and ``Retry-After``, the health checks fail, and all of it recovers by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.vocabulary import ApiKeyScope
from tests.factories import PASSWORD, add_account, add_api_key, bearer, ensure_agency, settings_for
from tests.helpers import without_request_ids
from tests.live_client import LiveClient
from tests.security.conftest import client_from, running
from tests.servers import serving
from tests.tcp_proxy import database_proxy

QUERY = '{ region(code: "64") { name } me { email } }'
LOGIN = 'mutation { login(input: {email: "editor@kukar.go.id", password: "x"}) { accessToken } }'


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "did not happen in time"
        await asyncio.sleep(0.2)


async def test_every_caller_gets_503_while_the_database_is_away_then_it_recovers(
    database_url: str, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    async with database_proxy(database_url) as proxy:
        settings = settings_for(proxy.url, tmp_path, db_connect_timeout=2)
        await add_account(sessions, settings, "editor@kukar.go.id")
        key = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
        async with running(settings) as app:
            client = client_from(app, "198.51.100.7")
            http = client.http
            login = """mutation ($password: String!) {
              login(input: {email: "editor@kukar.go.id", password: $password}) { accessToken } }"""
            token = (await client(login, {"password": PASSWORD}))["login"]["accessToken"]
            callers = {"anonymous": {}, "bearer token": bearer(token), "API key": bearer(key)}

            async def answers(status: int) -> bool:
                for headers in callers.values():
                    response = await http.post("/graphql", json={"query": QUERY}, headers=headers)
                    if response.status_code != status:
                        return False
                return True

            async def health(status: int) -> bool:
                ready = await http.get("/health/ready")
                realtime = await http.get("/health/realtime")
                return ready.status_code == realtime.status_code == status

            assert await answers(200)
            await eventually(lambda: health(200))

            await proxy.cut()
            for caller, headers in callers.items():
                for body in ({"query": QUERY}, {"query": LOGIN}):
                    response = await http.post("/graphql", json=body, headers=headers)
                    assert response.status_code == 503, (caller, response.text)
                    assert response.headers["retry-after"] == "5"
                    body = without_request_ids(response.json(), response.headers["x-request-id"])
                    assert body == {
                        "errors": [
                            {
                                "message": "The database is unavailable; try again shortly",
                                "extensions": {"code": "SERVICE_UNAVAILABLE", "retryAfter": 5},
                            }
                        ]
                    }
            await eventually(lambda: health(503))

            await proxy.restore()
            await eventually(lambda: answers(200))
            await eventually(lambda: health(200))
            await http.aclose()


async def test_a_pool_without_free_connections_is_unavailable_too(
    database_url: str, tmp_path: Path
) -> None:
    """The query waits for a pooled connection no longer than the pool allows, then 503."""
    settings = settings_for(database_url, tmp_path, db_pool_size=1, db_max_overflow=0)
    async with running(settings) as app:
        engine = app.state.engine
        engine.sync_engine.pool._timeout = 0.5  # a short wait, for the test
        transport = httpx.ASGITransport(app=app)
        async with (
            engine.connect(),  # the only connection, held
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http,
        ):
            response = await http.post("/graphql", json={"query": QUERY})
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_over_websocket_operations_get_the_same_error_and_credentials_wait(
    database_url: str, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    key = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
    async with database_proxy(database_url) as proxy:
        settings = settings_for(proxy.url, tmp_path, db_connect_timeout=2)
        async with serving(settings) as where:
            url = f"ws://{where}/graphql"
            await proxy.cut()
            async with LiveClient.connect(url) as anonymous:
                await anonymous.subscribe("q", QUERY)
                message = await anonymous.receive()
            assert message["type"] == "next"
            (error,) = without_request_ids(message["payload"])["errors"]
            assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 5}

            async with LiveClient.connect(url, init=False) as keyed:
                await keyed.initialise_expecting_close({"authorization": f"Bearer {key}"})
                closed = keyed.websocket.close_code, keyed.websocket.close_reason
            assert closed == (1013, "The database is unavailable; try again shortly")
