"""The PostgreSQL server the tests run against, and per-test databases cloned from a template.

``HUB_TEST_DATABASE_URL`` names a server (any database on it; the role needs CREATEDB);
without it the suite starts an embedded server in a temporary folder. A template database is
migrated to head once per run and filled with reference data; every test gets a fresh clone.
Names carry a per-run token so several runs can share one server.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres
from hub.db.provision import seed
from hub.settings import normalise_database_url


def new_shared_folder(prefix: str) -> Path:
    """A temporary folder the embedded server's unprivileged user can reach (tmp_path can't)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def connect_kwargs(url: URL) -> dict[str, object]:
    host = url.host or url.query.get("host")
    return {
        "host": host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }


@dataclass
class DatabaseServer:
    base_url: URL  # SQLAlchemy URL of any database on the server
    embedded: EmbeddedPostgres | None = None
    folder: Path | None = None
    token: str = uuid.uuid4().hex[:8]

    @classmethod
    def start(cls) -> DatabaseServer:
        configured = os.environ.get("HUB_TEST_DATABASE_URL")
        if configured:
            return cls(base_url=make_url(normalise_database_url(configured)))
        folder = new_shared_folder("hub-test-")
        embedded = EmbeddedPostgres(folder)
        return cls(base_url=make_url(embedded.start()), embedded=embedded, folder=folder)

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return self.base_url.set(database=database).render_as_string(hide_password=False)

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(**connect_kwargs(self.base_url))  # type: ignore[arg-type]

    async def create_database(self, name: str, *, template: str | None = None) -> str:
        connection = await self.admin()
        try:
            clause = f' TEMPLATE "{template}"' if template else ""
            await connection.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await connection.close()
        return self.url(name)

    async def drop_database(self, name: str) -> None:
        connection = await self.admin()
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    async def build_template(self) -> str:
        """Create the template database: migrations to head (tests them too) + reference data."""
        name = f"hub_template_{self.token}"
        await self.drop_database(name)
        url = await self.create_database(name)
        await asyncio.to_thread(migrations.upgrade, url)
        await seed(url, demo=False)
        return name
