"""Fixtures for the abuse tests: the app under chosen settings, reached from chosen client
addresses (as if through a trusted proxy), over real HTTP (ASGI transport)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.app import create_app
from hub.settings import Settings
from tests.factories import settings_for
from tests.helpers import GraphQLClient

Clients = Callable[..., contextlib.AbstractAsyncContextManager[GraphQLClient]]


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def client_from(app: Starlette, address: str) -> GraphQLClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    return GraphQLClient(httpx.AsyncClient(transport=transport, base_url="http://hub.test"))


@pytest.fixture
def abuse_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        return settings_for(database_url, tmp_path, **overrides)

    return build
