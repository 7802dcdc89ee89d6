"""CORS: a browser app on another origin calls ``/graphql``; one origin policy for HTTP and
WebSocket, the deprecated live setting folded into it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from websockets.exceptions import InvalidStatus

from hub.app import create_app
from hub.settings import Settings
from tests.factories import settings_for
from tests.live_client import LiveClient
from tests.servers import serving

APP = "https://portal.example.go.id"
QUERY = '{ region(code: "64") { name } }'


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            yield client


@pytest.fixture
async def cors_http(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(database_url, tmp_path, cors_allowed_origins=f"{APP}, http://b.test")
    async for client in client_for(settings):
        yield client


def preflight(origin: str, headers: str = "authorization, content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


async def test_preflight_from_an_allowed_origin_is_answered_and_cached(
    cors_http: httpx.AsyncClient,
) -> None:
    sent = (
        "authorization, content-type, x-request-id, apollographql-client-name, last-event-id, "
        "x-graphql-event-stream-token"
    )
    response = await cors_http.options("/graphql", headers=preflight(APP, sent))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-max-age"] == "3600"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in sent.split(",")} <= {h.lower() for h in allowed}
    assert "access-control-allow-credentials" not in response.headers


async def test_preflight_from_another_origin_is_refused(cors_http: httpx.AsyncClient) -> None:
    response = await cors_http.options("/graphql", headers=preflight("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_requests_from_an_allowed_origin_may_be_read(cors_http: httpx.AsyncClient) -> None:
    response = await cors_http.post("/graphql", json={"query": QUERY}, headers={"Origin": APP})
    assert response.json()["data"] == {"region": {"name": "Kalimantan Timur"}}
    assert response.headers["access-control-allow-origin"] == APP
    assert "Origin" in response.headers["vary"]
    exposed = response.headers["access-control-expose-headers"]
    assert "X-Request-ID" in exposed
    assert "ETag" in exposed
    other = await cors_http.post(
        "/graphql", json={"query": QUERY}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_without_origins_no_cross_origin_call_is_allowed(
    database_url: str, http: httpx.AsyncClient
) -> None:
    response = await http.options("/graphql", headers=preflight(APP))
    assert "access-control-allow-origin" not in response.headers
    response = await http.post("/graphql", json={"query": QUERY}, headers={"Origin": APP})
    assert "access-control-allow-origin" not in response.headers


async def test_any_origin(database_url: str, tmp_path: Path) -> None:
    settings = settings_for(database_url, tmp_path, cors_allowed_origins="*")
    async for client in client_for(settings):
        response = await client.options("/graphql", headers=preflight("https://any.example"))
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"


def test_any_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot be `\\*`"):
        Settings(cors_allowed_origins="*", cors_allow_credentials=True)
    assert Settings(cors_allowed_origins=APP, cors_allow_credentials=True).origin_policy.allows(APP)


@pytest.mark.parametrize("entry", ["portal.example.go.id", "ftp://x.test", "https://x.test/app"])
def test_malformed_origins_are_refused(entry: str) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(cors_allowed_origins=entry)


def test_the_live_setting_folds_into_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_LIVE_ALLOWED_ORIGINS", "https://old.example")
    monkeypatch.setenv("HUB_CORS_ALLOWED_ORIGINS", APP.upper().replace("HTTPS", "https"))
    policy = Settings().origin_policy
    assert policy.allows("https://old.example")
    assert policy.allows(APP)
    assert not policy.allows("https://evil.example")


async def test_websocket_follows_the_same_policy(database_url: str, tmp_path: Path) -> None:
    settings = settings_for(database_url, tmp_path, cors_allowed_origins=APP)
    async with serving(settings) as address:
        url = f"ws://{address}/graphql"
        async with LiveClient.connect(url, origin=APP) as client:  # type: ignore[arg-type]
            await client.send({"type": "ping"})
            assert json.loads(await client.websocket.recv()) == {"type": "pong"}
        with pytest.raises(InvalidStatus) as refused:
            async with LiveClient.connect(url, origin="https://evil.example"):  # type: ignore[arg-type]
                pass
        assert refused.value.response.status_code == 403
