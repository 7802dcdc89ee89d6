"""Get a usable database for a command: the configured server or the embedded one.

``open_database`` resolves the URL (starting the embedded server when none is configured),
checks that PostgreSQL answers, and on request migrates to head, loads reference data and,
on the embedded server's first start, the demo content. Expected failures raise
``DatabaseUnavailable`` with a one-line message.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from hub.db import migrations
from hub.db.demo import load_demo_content
from hub.db.embedded import EmbeddedPostgres, EmbeddedPostgresError
from hub.db.reference import load_reference_data
from hub.db.repositories.article_index import index_unindexed
from hub.db.session import asyncpg_arguments
from hub.settings import Settings

CONNECT_TIMEOUT = 10  # seconds


class DatabaseUnavailable(Exception):
    """The database cannot be reached or prepared; the message is one line for the user."""


@dataclass(frozen=True)
class Database:
    url: str
    embedded: EmbeddedPostgres | None

    @property
    def first_start(self) -> bool:
        return self.embedded is not None and self.embedded.created


@contextlib.contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """Yield a reachable database; stop the embedded server on exit if this call started it."""
    embedded: EmbeddedPostgres | None = None
    if settings.database_url is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        try:
            url = embedded.start()
        except EmbeddedPostgresError as error:
            raise DatabaseUnavailable(str(error).splitlines()[0]) from error
    else:
        url = settings.database_url
    try:
        asyncio.run(check_connection(url))
        yield Database(url=url, embedded=embedded)
    finally:
        if embedded is not None:
            embedded.stop()


def describe(url: str) -> str:
    """``user@host:port/database`` without the password, for messages."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "localhost"
    return f"{parsed.username or ''}@{host}:{parsed.port or 5432}/{parsed.database or ''}"


async def check_connection(url: str) -> None:
    try:
        connection = await asyncpg.connect(**asyncpg_arguments(url), timeout=CONNECT_TIMEOUT)
    except asyncpg.InvalidPasswordError as error:
        raise DatabaseUnavailable(f"PostgreSQL refused the password for {describe(url)}") from error
    except asyncpg.InvalidCatalogNameError as error:
        raise DatabaseUnavailable(f"database does not exist: {describe(url)}") from error
    except asyncpg.PostgresError as error:
        raise DatabaseUnavailable(f"PostgreSQL refused {describe(url)}: {error}") from error
    except (OSError, TimeoutError, socket.gaierror) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(url)}: {reason or 'timed out'}"
        ) from error
    await connection.close()


def migrate(url: str, revision: str = "head") -> None:
    try:
        migrations.upgrade(url, revision)
    except Exception as error:
        raise DatabaseUnavailable(f"migration failed: {_first_line(error)}") from error


def prepare(database: Database, *, load_demo: bool) -> None:
    """Migrate to head, load reference data, and the demo content when asked."""
    migrate(database.url)
    asyncio.run(seed(database.url, demo=load_demo))


async def seed(url: str, *, demo: bool) -> None:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            await load_reference_data(session)
            if demo:
                await load_demo_content(session)
            await index_unindexed(session)  # the demo, and articles published before 0010
    finally:
        await engine.dispose()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
