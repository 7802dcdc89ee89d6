"""Login throttling: back-off and lockout per e-mail address and per client address, the
charge taken before the password is checked (concurrent guesses), the audit log, the bounded
password pool, and ``RATE_LIMITED`` with ``Retry-After`` over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.settings import Settings
from tests.factories import PASSWORD, add_account, ensure_agency
from tests.live_client import LiveClient
from tests.security.conftest import client_from, running
from tests.servers import serving

Sessions = async_sessionmaker[AsyncSession]
EMAIL = "editor@kukar.go.id"
WRONG = "bukan kata sandinya"
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken errors { field code message retryAfter } } }"""
THROTTLE = {
    "login_account_free_failures": 3,
    "login_account_lockout_failures": 5,
    "login_address_free_failures": 6,
    "login_address_lockout_failures": 8,
    "login_backoff_seconds": 30,
    "login_lockout_seconds": 600,
}


async def attempt(
    app: Starlette, email: str, password: str, address: str = "198.51.100.7"
) -> tuple[httpx.Response, dict[str, Any]]:
    """One login over HTTP from ``address``: the response and the payload's first error."""
    client = client_from(app, address)
    async with client.http:
        response = await client.http.post(
            "/graphql", json={"query": LOGIN, "variables": {"email": email, "password": password}}
        )
    payload = response.json()["data"]["login"]
    return response, (payload["errors"][0] if payload["errors"] else {"code": "OK", **payload})


def codes(outcomes: list[tuple[httpx.Response, dict[str, Any]]]) -> list[str]:
    return [error["code"] for _, error in outcomes]


@pytest.fixture
async def app(
    abuse_settings: Callable[..., Settings], sessions: Sessions
) -> AsyncIterator[Starlette]:
    settings = abuse_settings(**THROTTLE)
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    await add_account(sessions, settings, EMAIL)
    async with running(settings) as application:
        yield application


async def time_passes(engine: AsyncEngine) -> None:
    """Every wait is over (as if its time had passed; the counts stay)."""
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE login_throttles SET blocked_until = now() - interval '1 second'")
        )


async def test_an_account_backs_off_then_locks_and_the_right_password_waits_too(
    app: Starlette, engine: AsyncEngine
) -> None:
    first = [await attempt(app, EMAIL, WRONG) for _ in range(3)]
    assert codes(first) == ["INVALID_CREDENTIALS"] * 3

    refused, error = await attempt(app, EMAIL, PASSWORD)  # even the right one must wait
    assert error["code"] == "RATE_LIMITED"
    assert 29 <= error["retryAfter"] <= 30
    assert refused.status_code == 200
    assert refused.headers["retry-after"] == str(error["retryAfter"])
    assert f"try again in {error['retryAfter']} s" in error["message"]

    await time_passes(engine)
    assert codes([await attempt(app, EMAIL, WRONG)]) == ["INVALID_CREDENTIALS"]  # 4th
    _, error = await attempt(app, EMAIL, WRONG)
    assert error["code"] == "RATE_LIMITED"
    assert 59 <= error["retryAfter"] <= 60  # doubled
    await time_passes(engine)
    assert codes([await attempt(app, EMAIL, WRONG)]) == ["INVALID_CREDENTIALS"]  # 5th: locked
    response, error = await attempt(app, EMAIL, PASSWORD)
    assert error["code"] == "RATE_LIMITED"
    assert 599 <= error["retryAfter"] <= 600
    assert response.headers["retry-after"] == str(error["retryAfter"])

    # The lockout ends: the right password opens it and the account's count restarts.
    await time_passes(engine)
    assert codes([await attempt(app, EMAIL, PASSWORD)]) == ["OK"]
    elsewhere = [await attempt(app, EMAIL, WRONG, address="203.0.113.9") for _ in range(4)]
    assert codes(elsewhere) == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"]


async def test_an_address_backs_off_across_accounts_and_others_are_not_affected(
    app: Starlette,
) -> None:
    sprayed = [await attempt(app, f"orang{n}@kukar.go.id", WRONG) for n in range(6)]
    assert codes(sprayed) == ["INVALID_CREDENTIALS"] * 6
    _, error = await attempt(app, "orang-lain@kukar.go.id", WRONG)
    assert error["code"] == "RATE_LIMITED"
    _, error = await attempt(app, EMAIL, PASSWORD)  # the real user behind that address too
    assert error["code"] == "RATE_LIMITED"
    assert codes([await attempt(app, EMAIL, PASSWORD, address="203.0.113.9")]) == ["OK"]


async def test_a_successful_login_gives_back_its_address_charge(app: Starlette) -> None:
    for _ in range(12):  # more than the address allows, were successes counted
        assert codes([await attempt(app, EMAIL, PASSWORD)]) == ["OK"]
    sprayed = [await attempt(app, f"orang{n}@kukar.go.id", WRONG) for n in range(6)]
    assert codes(sprayed) == ["INVALID_CREDENTIALS"] * 6


async def test_concurrent_guesses_are_charged_before_the_password_is_checked(
    abuse_settings: Callable[..., Settings],
) -> None:
    async with running(abuse_settings(**THROTTLE)) as app:
        outcomes = await asyncio.gather(*(attempt(app, EMAIL, WRONG) for _ in range(12)))
    assert sorted(codes(list(outcomes))) == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 9


async def test_every_failure_is_audited(app: Starlette, engine: AsyncEngine) -> None:
    await attempt(app, EMAIL, WRONG)
    await attempt(app, "tidak.ada@kukar.go.id", WRONG, address="203.0.113.9")
    for _ in range(3):
        await attempt(app, EMAIL, WRONG)
    await attempt(app, EMAIL, PASSWORD)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT email, account_id IS NOT NULL, address, reason, "
                    "wait_seconds BETWEEN 29 AND 30 "
                    "FROM login_failures ORDER BY id"
                )
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (EMAIL, True, "198.51.100.7", "wrong_password", None),
        ("tidak.ada@kukar.go.id", False, "203.0.113.9", "unknown_account", None),
        (EMAIL, True, "198.51.100.7", "wrong_password", None),
        (EMAIL, True, "198.51.100.7", "wrong_password", None),
        (EMAIL, False, "198.51.100.7", "throttled", True),
        (EMAIL, False, "198.51.100.7", "throttled", True),
    ]


async def test_a_wrong_current_password_counts_like_a_failed_login(app: Starlette) -> None:
    _, signed_in = await attempt(app, EMAIL, PASSWORD)
    change = """mutation ($current: String!) {
      changePassword(input: {currentPassword: $current, newPassword: "sandi baru yang panjang"}) {
        errors { field code retryAfter } } }"""
    client = client_from(app, "198.51.100.7")
    async with client.http:
        headers = {"Authorization": f"Bearer {signed_in['accessToken']}"}
        results = [
            (await client(change, {"current": WRONG}, headers=headers))["changePassword"]
            for _ in range(4)
        ]
    assert [r["errors"][0]["code"] for r in results] == ["INVALID_CREDENTIALS"] * 3 + [
        "RATE_LIMITED"
    ]
    assert results[0]["errors"][0]["field"] == "currentPassword"
    assert codes([await attempt(app, EMAIL, PASSWORD)]) == ["RATE_LIMITED"]


async def test_password_checks_beyond_the_pool_and_its_queue_are_refused(
    abuse_settings: Callable[..., Settings], sessions: Sessions
) -> None:
    settings = abuse_settings(
        password_workers=1,
        password_queue=1,
        argon2_time_cost=3,
        argon2_memory_kib=32_768,
        login_address_free_failures=100,
    )
    async with running(settings) as app:
        outcomes = await asyncio.gather(
            *(attempt(app, f"orang{n}@kukar.go.id", WRONG) for n in range(8))
        )
    refused = [(response, error) for response, error in outcomes if error["code"] == "RATE_LIMITED"]
    checked = [error for _, error in outcomes if error["code"] == "INVALID_CREDENTIALS"]
    assert len(checked) >= 2, codes(list(outcomes))
    assert refused, codes(list(outcomes))
    response, error = refused[0]
    assert "busy checking passwords" in error["message"]
    assert int(response.headers["retry-after"]) >= 1


async def test_a_login_over_websocket_counts_against_the_sockets_address(
    abuse_settings: Callable[..., Settings], sessions: Sessions, engine: AsyncEngine
) -> None:
    settings = abuse_settings(**THROTTLE)
    async with (
        serving(settings) as where,
        LiveClient.connect(
            f"ws://{where}/graphql", additional_headers={"X-Forwarded-For": "198.51.100.44"}
        ) as client,
    ):
        await client.subscribe("login", LOGIN, {"email": EMAIL, "password": WRONG})
        message = await client.receive()
    assert message["payload"]["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    async with engine.connect() as connection:
        address = await connection.scalar(text("SELECT address FROM login_failures"))
    assert address == "198.51.100.44"
