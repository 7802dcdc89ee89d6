"""The process's live service: the broker, the gateway, the open connections, keep-alive,
the batching of writes and the garbage collector's pauses (:mod:`hub.realtime.heap`).

``start``/``stop`` run in the application's lifespan. Each connection is closed with 1012
(service restart) and a reason naming a delay drawn from ``HUB_SHUTDOWN_SPREAD`` seconds
(``restart_frame``), so clients reconnect — elsewhere, or here once restarted — spread out,
and resume from their cursors: under ``hub serve`` when the server begins shutting down,
after it stopped accepting (see :mod:`hub.realtime.direct`); otherwise in ``stop``.
``stats`` reports what the process is doing (for ``/health/realtime`` and benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import weakref
from dataclasses import asdict
from typing import Any

from hub.db.session import SessionFactory
from hub.realtime.admission import Admission, busy_reason
from hub.realtime.broker import Broker
from hub.realtime.connection import SERVICE_RESTART, LiveConnection, PendingWrites, restart_reason
from hub.realtime.cursor import encode
from hub.realtime.direct import CloseFrame
from hub.realtime.gateway import Gateway
from hub.realtime.heap import HeapKeeper
from hub.realtime.history import History
from hub.settings import Settings

KEEP_ALIVE_TICK = 1.0  # seconds between two looks for connections due a keep-alive ping
KEEP_ALIVE_SLICE = 2000  # connections looked at between two yields to the event loop
SHUTDOWN_FLUSH_SECONDS = 2.0
BUSY_RETRY_FIRST = 1.0  # seconds a client refused for want of a turn waits at least


class LiveService:
    def __init__(
        self,
        *,
        settings: Settings,
        database_url: str,
        sessions: SessionFactory,
        gateway: Gateway,
        history: History | None = None,
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.broker = Broker(
            settings=settings,
            database_url=database_url,
            sessions=sessions,
            gateway=gateway,
            history=history,
        )
        self.connections: weakref.WeakSet[LiveConnection] = weakref.WeakSet()
        self.admission = Admission(
            limit=settings.live_handshakes,
            wait=settings.live_handshake_wait,
            hold_at_most=settings.live_connection_init_timeout,
        )
        self.writes = PendingWrites()
        self.heap = HeapKeeper(settings.live_gc_freeze_interval, lambda: len(self.connections))
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.broker.start()
        loop = asyncio.get_running_loop()
        if self.settings.live_keepalive_interval > 0:
            self._tasks.append(loop.create_task(self._ping_forever()))
        if self.settings.live_gc_freeze_interval > 0:
            self._tasks.append(loop.create_task(self.heap.run()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        connections = list(self.connections)
        for connection in connections:
            connection.close(*self.restart_frame())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(c.finished() for c in connections), return_exceptions=True),
                SHUTDOWN_FLUSH_SECONDS,
            )
        await self.broker.stop()

    def restart_frame(self) -> CloseFrame:
        return SERVICE_RESTART, restart_reason(self.retry_delay())

    def busy(self) -> str:
        """The reason for a WebSocket refused for want of a handshake turn."""
        return busy_reason(BUSY_RETRY_FIRST + self.retry_delay())

    def retry_delay(self) -> float:
        """A delay drawn from the spread: reconnects told to wait come back spread out."""
        return random.uniform(0, self.settings.shutdown_spread)

    def release(self, connection: LiveConnection) -> None:
        """A connection is closing: its subscribers leave the broker."""
        for subscriber in connection.subscriptions.values():
            self.broker.leave(subscriber)
        connection.subscriptions.clear()
        self.heap.connection_closed()

    async def _ping_forever(self) -> None:
        """Each connection is pinged every interval from when it opened, so pings (and the
        pongs coming back) are spread over the interval instead of arriving all at once."""
        interval = self.settings.live_keepalive_interval
        tick = min(KEEP_ALIVE_TICK, interval / 2)
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for number, connection in enumerate(list(self.connections), start=1):
                connection.keep_alive(now, interval)
                if number % KEEP_ALIVE_SLICE == 0:
                    await asyncio.sleep(0)

    def stats(self) -> dict[str, Any]:
        broker = self.broker
        return {
            "connections": len(self.connections),
            "subscribers": broker.registry.count,
            "filterGroups": broker.registry.filter_groups,
            "position": encode(broker.position),
            "historySize": len(broker.history),
            "listening": broker.listener.connected,
            "listenerReconnects": broker.listener.reconnects,
            "heapFreezes": self.heap.freezes,
            "handshakesInProgress": self.admission.in_progress,
            "handshakesWaiting": self.admission.waiting,
            "handshakesRefused": self.admission.refused,
            "heapReclaims": self.heap.reclaims,
            **{_camel(key): value for key, value in asdict(broker.stats).items()},
        }


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
