"""Fixtures for live tests: the app served by a real uvicorn in this event loop."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from hub.settings import Settings
from tests.factories import Desk, OpenDesk, Sessions
from tests.servers import serving


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """Settings for live tests; tests adjust them before the server starts."""
    return settings.model_copy(update={"live_catch_up_interval": 1.0})


@pytest.fixture
async def address(live_settings: Settings) -> AsyncIterator[str]:
    async with serving(live_settings) as where:
        yield where


@pytest.fixture
async def open_desk(sessions: Sessions, live_settings: Settings) -> AsyncIterator[OpenDesk]:
    """``await open_desk(url, *agency_slugs)``: a new editor of those agencies, logged in
    at the server at ``url`` (``http://host:port``), approving through its API."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_(url: str, *agencies: str) -> Desk:
            return await stack.enter_async_context(
                Desk.at(url, sessions, live_settings, agencies=agencies)
            )

        yield open_
