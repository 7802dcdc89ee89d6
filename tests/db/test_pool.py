"""Pooled connections the server closed are replaced before use, without a ping per checkout."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from hub.db.session import replace_closed
from hub.settings import Settings
from tests.helpers import GraphQLClient

QUERY = "{ regions(first: 1) { nodes { code } } }"
TERMINATE = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name = 'hub' AND datname = current_database()"
)


async def close_the_apps_connections(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        closed = int((await connection.execute(TERMINATE)).scalar_one())
    await asyncio.sleep(0.3)  # the event loop reads the closed sockets
    return closed


async def test_a_connection_the_server_closed_is_replaced(
    database_url: str,
    settings: Settings,
    app: Starlette,
    engine: AsyncEngine,
    gql: GraphQLClient,
) -> None:
    assert not settings.db_pre_ping  # the default: no ping round trips
    await gql(QUERY)  # a pooled connection now exists
    assert await close_the_apps_connections(engine) >= 1
    assert (await gql(QUERY))["regions"]["nodes"] == [{"code": "11"}]

    # Without the checkout hook the same closed connection fails the request that gets it
    # (a lost connection: the database counts as unavailable for that request, 503).
    event.remove(app.state.engine.sync_engine.pool, "checkout", replace_closed)
    assert await close_the_apps_connections(engine) >= 1
    response = await gql.http.post("/graphql", json={"query": QUERY})
    assert response.status_code == 503, response.text
