"""Migrations: empty → head → base → head, and the models match the migrated schema."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from hub.db import migrations
from hub.db.base import Base
from tests.postgres import DatabaseServer


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_round_trip(pg_server: DatabaseServer) -> None:
    name = f"hub_migrations_{pg_server.token}"
    await pg_server.drop_database(name)
    url = await pg_server.create_database(name)
    try:
        assert await _tables(url) == set()
        await asyncio.to_thread(migrations.upgrade, url)
        assert set(Base.metadata.tables) | {"alembic_version"} == await _tables(url)
        assert await asyncio.to_thread(migrations.current_revision, url) == (
            migrations.head_revision()
        )

        await asyncio.to_thread(migrations.downgrade, url, "base")
        assert await _tables(url) == {"alembic_version"}

        await asyncio.to_thread(migrations.upgrade, url)
        assert set(Base.metadata.tables) <= await _tables(url)
    finally:
        await pg_server.drop_database(name)


async def test_models_match_migrations(database_url: str) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == []
