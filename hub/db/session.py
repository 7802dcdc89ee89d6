"""Engine and session factory. Built by ``create_app`` (never at import time).

Sessions are short-lived: each loader batch and each mutation opens its own from the
factory; one AsyncSession is never shared between concurrently running resolvers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hub.settings import Settings

SessionFactory = async_sessionmaker[AsyncSession]


def build_engine(url: str, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": "hub"}},
    )


def build_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def asyncpg_arguments(url: str) -> dict[str, Any]:
    """``asyncpg.connect`` keywords for a database URL (a unix socket may be ``?host=``)."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host")
    return {
        "host": host if isinstance(host, str) else None,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
    }
