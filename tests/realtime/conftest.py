"""Fixtures for live tests: the app served by a real uvicorn in this event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hub.settings import Settings
from tests.servers import serving


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """Settings for live tests; tests adjust them before the server starts."""
    return settings.model_copy(update={"live_catch_up_interval": 1.0})


@pytest.fixture
async def address(live_settings: Settings) -> AsyncIterator[str]:
    async with serving(live_settings) as where:
        yield where
