"""Shared fixtures: a real PostgreSQL, a database per test, the app over HTTP, demo content."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from starlette.applications import Starlette

from hub.app import create_app
from hub.db.demo import load_demo_content
from hub.db.provision import seed
from hub.settings import Settings
from tests.factories import settings_for
from tests.helpers import GraphQLClient
from tests.postgres import DatabaseServer

_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[DatabaseServer]:
    server = DatabaseServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def template_database(pg_server: DatabaseServer) -> AsyncIterator[str]:
    name = await pg_server.build_template()
    yield name
    await pg_server.drop_database(name)


@pytest.fixture
async def database_url(pg_server: DatabaseServer, template_database: str) -> AsyncIterator[str]:
    """A fresh database for one test: migrated, with reference data, no demo content."""
    name = f"hub_test_{pg_server.token}_{next(_database_numbers)}"
    url = await pg_server.create_database(name, template=template_database)
    yield url
    await pg_server.drop_database(name)


@pytest.fixture
async def demo(database_url: str) -> str:
    """The demo forum (its event, people and two articles) loaded into this test's database,
    without the generated newsroom; returns the database URL."""
    engine = create_async_engine(database_url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            await load_demo_content(session, newsroom=False)
    finally:
        await engine.dispose()
    return database_url


@pytest.fixture
async def full_demo(database_url: str) -> str:
    """All the demo content, as ``hub seed --demo`` loads it; returns the database URL."""
    await seed(database_url, demo=True)
    return database_url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A separate engine for arranging and inspecting data directly (not the app's)."""
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return settings_for(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
