"""No request holds a database connection beyond a bound: a statement is cancelled after
``HUB_DB_STATEMENT_TIMEOUT``, a query stopped after ``HUB_QUERY_TIMEOUT``, and the work of a
client that goes away is cancelled with the statement in flight. Statements are made to wait
by a lock another connection holds on ``articles``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.settings import Settings
from tests.security.conftest import client_from, running
from tests.servers import serving

QUERY = "{ articles(first: 1) { nodes { slug } } }"
WAITING = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND application_name = 'hub' AND state = 'active' AND wait_event_type = 'Lock'"
)


@contextlib.asynccontextmanager
async def articles_locked(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
        try:
            yield connection
        finally:
            await transaction.rollback()


async def waiting_statements(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(WAITING)).scalar_one())


async def until(condition: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_a_statement_over_the_statement_timeout_is_cancelled(
    abuse_settings: Callable[..., Settings], engine: AsyncEngine
) -> None:
    settings = abuse_settings(db_statement_timeout=0.5, query_timeout=0)
    async with running(settings) as app, articles_locked(engine):
        started = time.monotonic()
        errors = await client_from(app, "203.0.113.5").errors(QUERY)
        elapsed = time.monotonic() - started
        assert await waiting_statements(engine) == 0
    assert [error["extensions"]["code"] for error in errors] == ["TIMEOUT"]
    assert "took too long" in errors[0]["message"]
    assert elapsed < 5


async def test_a_query_over_the_query_timeout_is_stopped_with_its_statement(
    abuse_settings: Callable[..., Settings], engine: AsyncEngine
) -> None:
    settings = abuse_settings(db_statement_timeout=0, query_timeout=0.5)
    async with running(settings) as app, articles_locked(engine):
        errors = await client_from(app, "203.0.113.5").errors(QUERY)
        await until(lambda: _none_waiting(engine))
    assert [error["extensions"]["code"] for error in errors] == ["TIMEOUT"]


async def _none_waiting(engine: AsyncEngine) -> bool:
    return await waiting_statements(engine) == 0


async def _some_waiting(engine: AsyncEngine) -> bool:
    return await waiting_statements(engine) > 0


async def test_a_client_going_away_cancels_the_statement_in_flight(
    abuse_settings: Callable[..., Settings], engine: AsyncEngine
) -> None:
    settings = abuse_settings(db_statement_timeout=0, query_timeout=0)
    async with serving(settings) as address, articles_locked(engine):
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            request = asyncio.create_task(http.post("/graphql", json={"query": QUERY}))
            await until(lambda: _some_waiting(engine))  # the statement waits for the lock
            request.cancel()  # the client closes its connection
            with contextlib.suppress(asyncio.CancelledError):
                await request
        await until(lambda: _none_waiting(engine))  # cancelled while the lock is still held
