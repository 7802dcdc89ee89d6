"""Batching attacks: many guesses in one request. A JSON array of operations is refused
(``tests/http/test_endpoint.py``); aliases of ``login`` in one document are counted one by one
by the login throttle, so one request gets no more guesses than as many requests would."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.settings import Settings
from tests.factories import add_account, ensure_agency
from tests.security.conftest import client_from, running

EMAIL = "editor@kukar.go.id"
GUESSES = 12


async def test_aliased_logins_are_throttled_one_by_one(
    abuse_settings: Callable[..., Settings], sessions: async_sessionmaker[AsyncSession]
) -> None:
    settings = abuse_settings(
        login_account_free_failures=3,
        login_account_lockout_failures=5,
        login_backoff_seconds=30,
    )
    await ensure_agency(sessions, slug="diskominfo-kukar")
    await add_account(sessions, settings, EMAIL)
    aliases = " ".join(
        f'g{n}: login(input: {{email: "{EMAIL}", password: "tebakan ke-{n}"}}) '
        "{ accessToken errors { code retryAfter } }"
        for n in range(GUESSES)
    )
    async with running(settings) as app:
        client = client_from(app, "198.51.100.9")
        async with client.http:
            data = await client(f"mutation {{ {aliases} }}")
    codes = [data[f"g{n}"]["errors"][0]["code"] for n in range(GUESSES)]
    assert codes[:3] == ["INVALID_CREDENTIALS"] * 3
    assert codes.count("INVALID_CREDENTIALS") <= 3 + 1, codes
    assert codes[-1] == "RATE_LIMITED", codes
    assert all(data[f"g{n}"]["accessToken"] is None for n in range(GUESSES))
