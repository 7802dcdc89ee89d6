"""Health answers, and a server for them that never waits behind WebSocket work.

``/health/live`` (the process runs), ``/health/ready`` (the database answers ``SELECT 1``)
and ``/health/realtime`` (the live service's figures; 503 while its listener is down) are
answered on the main port by the application, and — with ``HUB_HEALTH_PORT`` — also by
:class:`HealthServer`: a minimal HTTP/1.1 server on an event loop in a thread of its own,
with its own database connection for readiness. A reconnect storm keeps the main event loop
busy; a probe on the health port is answered at once all the same (the thread needs only
the interpreter's lock, which the busy loop hands over every few milliseconds). With several
workers each binds the port with ``SO_REUSEPORT`` and answers for itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson

from hub.db.session import asyncpg_arguments

logger = logging.getLogger("hub")

Answer = tuple[int, dict[str, Any]]

READY_TIMEOUT = 2.0  # seconds the database has to answer a readiness check
REQUEST_TIMEOUT = 5.0  # seconds a client of the health port has to send its request
STATS_ATTEMPTS = 3  # the figures are read while the main thread changes them: retry
REASONS = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}


def live_answer() -> Answer:
    return 200, {"status": "ok"}


async def ready_answer(check: Callable[[], Awaitable[object]]) -> Answer:
    """``check`` runs ``SELECT 1`` on the database."""
    try:
        await asyncio.wait_for(check(), READY_TIMEOUT)
    except Exception as error:
        logger.warning("readiness check failed: %s", error)
        return 503, {"status": "unavailable", "database": "down"}
    return 200, {"status": "ok", "database": "up"}


def realtime_answer(stats: dict[str, Any]) -> Answer:
    return (200 if stats["listening"] else 503), stats


class HealthServer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        database_url: str,
        stats: Callable[[], dict[str, Any]],
    ) -> None:
        self.host = host
        self.port = port  # 0: any free port, the one bound is here once started
        self.database_url = database_url
        self.stats = stats
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hub-health", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to start(), which re-raises it
            self._failure = error
            self._started.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, self.host, self.port, reuse_port=True)
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
            method, path = [*head.split(b" ", 2), b"", b""][:2]
            status, body = await self._answer(method, path.split(b"?", 1)[0])
            payload = orjson.dumps(body)
            writer.write(
                f"HTTP/1.1 {status} {REASONS[status]}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _answer(self, method: bytes, path: bytes) -> Answer:
        if method not in (b"GET", b"HEAD"):
            return 404, {"status": "not found"}
        if path == b"/health/live":
            return live_answer()
        if path == b"/health/ready":
            return await ready_answer(self._select_one)
        if path == b"/health/realtime":
            return realtime_answer(self._read_stats())
        return 404, {"status": "not found"}

    def _read_stats(self) -> dict[str, Any]:
        for attempt in range(STATS_ATTEMPTS):
            try:
                return self.stats()
            except RuntimeError:  # a collection changed size while read
                if attempt == STATS_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _select_one(self) -> None:
        connection = await asyncpg.connect(
            **asyncpg_arguments(self.database_url), timeout=READY_TIMEOUT
        )
        try:
            await connection.fetchval("SELECT 1")
        finally:
            await connection.close()
