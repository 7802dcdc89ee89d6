"""Engine and session factory. Built by ``create_app`` (never at import time).

Sessions are short-lived: each loader batch and each mutation opens its own from the
factory; one AsyncSession is never shared between concurrently running resolvers. Reads use
``read_only`` sessions (autocommit: no BEGIN/ROLLBACK round trips).

A pooled connection whose socket the server has closed (a restart, a terminated backend) is
replaced when checked out, without a round trip; ``HUB_DB_PRE_PING`` adds a ping (BEGIN, a
query, ROLLBACK with asyncpg) for connections that can die silently on the way. Opening a
connection gives up after ``HUB_DB_CONNECT_TIMEOUT``; an unreachable database is then an
error :mod:`hub.db.outage` recognises.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hub.db import outage
from hub.settings import Settings

SessionFactory = async_sessionmaker[AsyncSession]
RECYCLE_SECONDS = 1800  # replace pooled connections older than this


def build_engine(
    url: str,
    settings: Settings,
    *,
    pool_size: int | None = None,
    name: str = "hub",
    statement_timeout: float = 0,
) -> AsyncEngine:
    """An engine with the configured pool (or ``pool_size`` connections and no overflow).
    ``statement_timeout`` (seconds; 0: none): the server cancels a longer statement, so no
    request holds a connection beyond it."""
    server_settings = {"application_name": name}
    if statement_timeout > 0:
        server_settings["statement_timeout"] = str(max(1, round(statement_timeout * 1000)))
    engine = create_async_engine(
        url,
        pool_size=pool_size or settings.db_pool_size,
        max_overflow=0 if pool_size else settings.db_max_overflow,
        pool_pre_ping=settings.db_pre_ping,
        pool_recycle=RECYCLE_SECONDS,
        connect_args={
            "server_settings": server_settings,
            "timeout": settings.db_connect_timeout,
            # The dialect opens connections through this function (with the URL's arguments):
            # an unreachable database then raises an error of its own (hub.db.outage).
            "async_creator_fn": outage.connect,
        },
        json_deserializer=orjson.loads,  # JSON columns and aggregates (fast path lists)
    )
    event.listen(engine.sync_engine.pool, "checkout", replace_closed)
    return engine


STATEMENT_TIMEOUT_STATE = "57014"  # query_canceled: the statement timeout, or a cancel request


def is_statement_timeout(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps) is a statement the server cancelled."""
    return any(
        getattr(current, "sqlstate", None) == STATEMENT_TIMEOUT_STATE
        for current in outage.causes(error)
    )


def replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pool checkout hook: a connection the server closed is discarded (the pool then hands
    out another one) instead of failing the request that gets it."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("connection closed by the server")


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


_read_factories: WeakKeyDictionary[SessionFactory, SessionFactory] = WeakKeyDictionary()


def read_only(sessions: SessionFactory) -> SessionFactory:
    """Sessions on the same pool in autocommit mode, for reads: each statement is its own
    transaction, without BEGIN/ROLLBACK round trips. Never write through them."""
    reads = _read_factories.get(sessions)
    if reads is None:
        engine: AsyncEngine = sessions.kw["bind"]
        reads = build_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
        _read_factories[sessions] = reads
    return reads
