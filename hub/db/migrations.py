"""Run Alembic migrations programmatically (used by ``hub migrate``, ``hub serve`` and tests).

The functions are synchronous: Alembic's async ``env.py`` runs its own event loop, so call
them from a worker thread (``asyncio.to_thread``) inside async code.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import command

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"), stdout=io.StringIO())
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found under alembic/versions")
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    return asyncio.run(_current_revision(url))


async def _current_revision(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
