"""Test helpers: a GraphQL client that fails on unexpected errors, a SQL statement counter."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db.base import Base


class GraphQLClient:
    """Posts to ``/graphql`` through a real HTTP interface (ASGI transport or a server)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The raw response body (``data`` and ``errors``)."""
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    async def _errors(self, query: str, variables: dict[str, Any] | None, **kwargs: Any) -> Any:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, **kwargs
        )
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert body.get("errors"), f"expected errors, got {body}"
        request_id = response.headers["x-request-id"]
        for error in body["errors"]:  # every error names its request (logs, bug reports)
            assert error["extensions"].pop("requestId") == request_id, error
        return body["errors"]

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """``data`` of a query that must succeed."""
        body = await self.execute(query, variables, headers=headers)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[dict[str, Any]]:
        """The errors of a query that must fail, each checked for the request's id (then
        left out of ``extensions``)."""
        errors: list[dict[str, Any]] = await self._errors(query, variables, **kwargs)
        return errors


def without_request_ids(body: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
    """``body`` with each error's ``extensions.requestId`` taken out (it must be there, and be
    ``request_id`` when given)."""
    for error in body.get("errors", ()):
        found = error.get("extensions", {}).pop("requestId", None)
        assert found is not None, error
        assert request_id is None or found == request_id, error
    return body


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)  # of each statement, as sent

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Record every SQL statement the engine sends while the block runs."""
    log = StatementLog()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        log.statements.append(statement)
        log.parameters.append(parameters)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# API keys' last-use time is bookkeeping of authentication, not a change made by a request.
ROW_TEXT = {
    "api_keys": "(t.id, t.agency_id, t.name, t.prefix, t.key_hash, t.scopes, t.expires_at, "
    "t.revoked_at)"
}


# Quota counters and the processes sharing them change in the background, not by a request.
UNCOMPARED = {"quota_counters", "quota_processes"}


async def table_digests(engine: AsyncEngine) -> dict[str, str]:
    """A digest of every table's rows, to show that a refused request changed nothing."""
    parts = []
    for table in sorted(set(Base.metadata.tables) - UNCOMPARED):
        row = ROW_TEXT.get(table, "t")
        parts.append(
            f"SELECT '{table}', md5(coalesce(string_agg({row}::text, '|' ORDER BY {row}::text), "  # noqa: S608
            f"'')) FROM {table} t"
        )
    async with engine.connect() as connection:
        rows = await connection.execute(text(" UNION ALL ".join(parts)))
        return {table: digest for table, digest in rows}
