"""Quotas: requests and cost per minute per client address, API key and account; the IETF
``RateLimit-Policy`` / ``RateLimit`` headers; 429 with ``Retry-After``; ``rateLimit``; and the
ledger's arithmetic, alone and exchanging its counts with another process's through the
database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub import quota
from hub.auth import ANONYMOUS, Viewer
from hub.db.session import build_engine
from hub.quota import Quotas, Rule, Tally
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope
from tests.factories import add_api_key, bearer, ensure_agency
from tests.helpers import count_statements, without_request_ids
from tests.security.conftest import client_from, running

QUERY = '{ region(code: "64") { name } }'
RATE_LIMIT = "{ rateLimit { limit remaining used cost resetAt requestLimit requestsRemaining } }"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def ledger(settings: Settings, clock: Clock, processes: int = 1) -> Quotas:
    quotas = Quotas(settings, clock=clock)
    quotas.processes = processes
    return quotas


def admitted(quotas: Quotas, rule: Rule, times: int, cost: int = 1) -> int:
    return sum(quotas.admit(rule, cost).allowed for _ in range(times))


def test_a_minute_admits_its_limit_and_the_next_minute_starts_afresh(
    abuse_settings: Callable[..., Settings],
) -> None:
    clock = Clock(6_000_030.0)  # 30 s into a minute
    quotas = ledger(abuse_settings(), clock)
    rule = Rule("address:203.0.113.5", requests=10, cost=0)
    assert admitted(quotas, rule, 15) == 10
    refused = quotas.admit(rule, 1)
    assert (refused.allowed, refused.retry_after, refused.resets_in) == (False, 30, 30)
    assert refused.reset_at == datetime.fromtimestamp(6_000_060, UTC)
    clock.now += 30
    assert admitted(quotas, rule, 15) == 10


def test_cost_is_limited_apart_from_requests(abuse_settings: Callable[..., Settings]) -> None:
    quotas = ledger(abuse_settings(), Clock(6_000_000.0))
    rule = Rule("api_key:7", requests=100, cost=1_000)
    assert [quotas.admit(rule, 400).allowed for _ in range(3)] == [True, True, False]
    assert quotas.admit(rule, 200).allowed  # 800 + 200 fits
    assert not quotas.admit(rule, 1).allowed


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no lease, cold", 7),  # provisional: ceil(100 / (8 * 2)) per interval
        ("no lease, hot", 0),  # waits for a lease
        ("lease of 30", 30),
        ("lease of 30, 95 used", 5),  # the quota itself, as far as known
    ],
)
def test_two_processes_admit_against_leases_or_provisionally(
    abuse_settings: Callable[..., Settings], case: str, expected: int
) -> None:
    quotas = ledger(abuse_settings(), Clock(6_000_000.0), processes=2)
    rule = Rule("address:203.0.113.5", requests=100, cost=0)
    tally = quotas.tallies[rule.key] = Tally(6_000_000 // 60, (100, 0))
    tally.hot = case == "no lease, hot"
    if case.startswith("lease"):
        tally.leased, tally.lease_requests = True, 30
        tally.used_requests = 95 if "95" in case else 0
    assert admitted(quotas, rule, 200) == expected
    refused = quotas.admit(rule, 1)
    assert not refused.allowed
    assert refused.retry_after == (60 if "95" in case else 1)
    assert tally.refused  # the next exchange asks for a lease


def test_a_request_costlier_than_the_lease_waits_for_a_larger_one(
    abuse_settings: Callable[..., Settings],
) -> None:
    quotas = ledger(abuse_settings(), Clock(6_000_000.0), processes=4)
    rule = Rule("api_key:7", requests=0, cost=1_000)
    tally = quotas.tallies[rule.key] = Tally(6_000_000 // 60, (0, 1_000))
    assert quotas.admit(rule, 600).allowed  # provisional: one request of any size fits
    assert not quotas.admit(rule, 1).allowed  # then ceil(1000 / 32) = 32 per interval
    tally.spent_cost, tally.leased, tally.lease_cost = 0, True, 250
    assert not quotas.admit(rule, 300).allowed
    assert tally.least_cost == 300  # the next lease is at least that


async def test_two_ledgers_share_a_quota_through_the_database_without_overshoot(
    abuse_settings: Callable[..., Settings], database_url: str, engine: AsyncEngine
) -> None:
    settings = abuse_settings(quota_anonymous_requests=100)
    clock = Clock(datetime.now(UTC).timestamp() // 60 * 60 + 5)
    engines = [build_engine(database_url, settings, pool_size=1) for _ in range(2)]
    first, second = (Quotas(settings, clock=clock) for _ in range(2))
    rule = Rule("address:203.0.113.5", requests=100, cost=0)
    try:
        await first.join(engines[0])
        await second.join(engines[1])
        await first.exchange()
        assert (first.processes, second.processes) == (2, 2)
        assert admitted(first, rule, 100) == 7  # provisional
        await first.exchange()  # 7 used: a lease of ceil(93 / 2)
        assert first.tallies[rule.key].lease_requests == 47
        assert admitted(first, rule, 100) == 47
        assert admitted(second, rule, 100) == 7  # cold as far as it knows: provisional
        await first.exchange()  # 54 used, the lease given back: hot; a new lease of 23
        await second.exchange()  # 61 used, 23 leased: a lease of ceil(16 / 2)
        leases = [ledger.tallies[rule.key].lease_requests for ledger in (first, second)]
        assert leases == [23, 8]
        assert first.tallies[rule.key].hot
        assert second.tallies[rule.key].hot
        total = 61
        for _ in range(6):
            total += admitted(first, rule, 100) + admitted(second, rule, 100)
            await first.exchange()
            await second.exchange()
        assert total == 100
        async with engine.connect() as connection:
            used = await connection.scalar(text("SELECT requests FROM quota_counters"))
        assert used == 100
        await second.stop()  # leaves
        await first.exchange()
        assert first.processes == 1
    finally:
        await first.stop()
        await second.stop()
        for built in engines:
            await built.dispose()


@pytest.fixture
async def limited(
    abuse_settings: Callable[..., Settings], sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[tuple[object, str]]:
    await ensure_agency(sessions, slug="diskominfo-kukar", type_code="diskominfo_kabkota")
    key = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
    settings = abuse_settings(
        quota_anonymous_requests=3,
        quota_anonymous_cost=100,
        quota_api_key_requests=5,
        quota_api_key_cost=0,
    )
    if time.time() % 60 > 50:  # the test's requests in one window
        await asyncio.sleep(60 - time.time() % 60 + 0.2)
    async with running(settings) as app:
        yield app, key


async def test_a_client_over_its_quota_gets_429_with_the_headers(
    limited: tuple[object, str],
) -> None:
    app, _ = limited
    client = client_from(app, "203.0.113.5")  # type: ignore[arg-type]
    async with client.http as http:
        answers = [await http.post("/graphql", json={"query": QUERY}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-policy"] == '"requests";q=3;w=60, "cost";q=100;w=60'
    remaining = [answer.headers["ratelimit"] for answer in answers]
    assert [part.split(";")[1] for part in remaining[0].split(", ")] == ["r=2", "r=99"]
    assert [part.split(";")[1] for part in remaining[2].split(", ")] == ["r=0", "r=97"]
    refused = answers[3]
    seconds = int(refused.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert without_request_ids(refused.json(), refused.headers["x-request-id"]) == {
        "errors": [
            {
                "message": "Rate limit exceeded: 3 requests and 100 cost points per minute for "
                f"this client address; try again in {seconds} s",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds},
            }
        ]
    }


async def test_each_address_and_each_key_has_its_own_quota(limited: tuple[object, str]) -> None:
    app, key = limited
    statuses: dict[str, list[int]] = {}
    for name, address, headers in (
        ("first address", "203.0.113.5", {}),
        ("second address", "203.0.113.6", {}),
        ("key from the first", "203.0.113.5", bearer(key)),
    ):
        client = client_from(app, address)  # type: ignore[arg-type]
        async with client.http as http:
            statuses[name] = [
                (await http.post("/graphql", json={"query": QUERY}, headers=headers)).status_code
                for _ in range(6)
            ]
    assert statuses == {
        "first address": [200, 200, 200, 429, 429, 429],
        "second address": [200, 200, 200, 429, 429, 429],
        "key from the first": [200] * 5 + [429],
    }


async def test_rate_limit_reports_the_quota_like_githubs(limited: tuple[object, str]) -> None:
    app, key = limited
    client = client_from(app, "203.0.113.7")  # type: ignore[arg-type]
    async with client.http:
        first = (await client(RATE_LIMIT))["rateLimit"]
        second = (await client(RATE_LIMIT))["rateLimit"]
        by_key = (await client(RATE_LIMIT, headers=bearer(key)))["rateLimit"]
    assert {k: first[k] for k in ("limit", "remaining", "used", "cost")} == {
        "limit": 100,
        "remaining": 99,
        "used": 1,
        "cost": 1,
    }
    assert (first["requestLimit"], first["requestsRemaining"]) == (3, 2)
    assert (second["remaining"], second["requestsRemaining"]) == (98, 1)
    reset_at = datetime.fromisoformat(first["resetAt"])
    assert reset_at.second == 0
    assert 0 < (reset_at - datetime.now(UTC)).total_seconds() <= 60
    assert (by_key["limit"], by_key["requestLimit"], by_key["requestsRemaining"]) == (0, 5, 4)


async def test_unlimited_callers_get_no_headers_and_a_null_rate_limit(
    abuse_settings: Callable[..., Settings], engine: AsyncEngine
) -> None:
    async with running(abuse_settings()) as app:
        client = client_from(app, "203.0.113.5")
        async with client.http as http:
            response = await http.post("/graphql", json={"query": RATE_LIMIT})
    assert response.json()["data"] == {"rateLimit": None}
    assert "ratelimit" not in response.headers


def test_who_counts_against_which_quota(abuse_settings: Callable[..., Settings]) -> None:
    quotas = Quotas(
        abuse_settings(
            quota_anonymous_requests=1, quota_api_key_requests=2, quota_account_requests=3
        )
    )
    assert quotas.rule_for(ANONYMOUS, "203.0.113.5") == Rule("address:203.0.113.5", 1, 0)
    assert quotas.rule_for(ANONYMOUS, None) is None
    assert quotas.rule_for(Viewer(api_key_id=4, api_key_agency_id=1), "x") == Rule(
        "api_key:4", 2, 0
    )
    assert quotas.rule_for(Viewer(account_id=9), "x") == Rule("account:9", 3, 0)


def test_the_ledger_is_bounded_new_clients_beyond_it_are_not_counted(
    abuse_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quota, "MAX_KEYS", 3)
    quotas = ledger(abuse_settings(), Clock(6_000_000.0))
    for n in range(3):
        assert quotas.admit(Rule(f"address:192.0.2.{n}", 1, 0), 1).allowed
    assert all(quotas.admit(Rule("address:192.0.2.9", 1, 0), 1).allowed for _ in range(5))
    assert len(quotas.tallies) == 3
    assert not quotas.admit(Rule("address:192.0.2.0", 1, 0), 1).allowed  # still counted


async def test_quotas_add_no_statement_to_a_request(
    abuse_settings: Callable[..., Settings],
) -> None:
    statements = []
    for limits in ({}, {"quota_anonymous_requests": 1_000, "quota_anonymous_cost": 1_000}):
        async with running(abuse_settings(**limits)) as app:
            client = client_from(app, "203.0.113.5")
            async with client.http as http:
                await http.post("/graphql", json={"query": QUERY})  # warm caches
                with count_statements(app.state.engine) as log:
                    for _ in range(20):
                        response = await http.post("/graphql", json={"query": QUERY})
                        assert response.status_code == 200
                assert ("ratelimit" in response.headers) == bool(limits)
        statements.append(log.statements)
    assert statements[0] == statements[1]
    assert len(statements[0]) == 20


async def test_bad_credentials_count_against_the_address(limited: tuple[object, str]) -> None:
    app, _ = limited
    client = client_from(app, "203.0.113.8")  # type: ignore[arg-type]
    made_up = bearer("hubk_0123456789ab_made-up-secret")
    async with client.http as http:
        statuses = [
            (await http.post("/graphql", json={"query": QUERY}, headers=made_up)).status_code
            for _ in range(5)
        ]
    assert statuses == [401, 401, 401, 429, 429]
