"""Fixtures of the schema tests: the general path served beside the compiled one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hub.app import create_app
from hub.settings import Settings
from tests.helpers import GraphQLClient


@pytest.fixture
async def general(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """The same database served through the resolvers only (no compiled reads)."""
    application = create_app(settings.model_copy(update={"projected_reads": False}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            yield GraphQLClient(client)
