"""The process's live service: the broker, the gateway, the open connections, keep-alive.

``start``/``stop`` run in the application's lifespan. ``stop`` closes every connection with
1012 (service restart) so clients reconnect elsewhere and resume from their cursors.
``stats`` reports what the process is doing (for ``/health/realtime`` and benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import asdict
from typing import Any

from hub.db.session import SessionFactory
from hub.realtime.broker import Broker
from hub.realtime.connection import SERVICE_RESTART, LiveConnection
from hub.realtime.cursor import encode
from hub.realtime.gateway import Gateway
from hub.settings import Settings

KEEP_ALIVE_SLICE = 500  # connections pinged between two yields to the event loop
SHUTDOWN_FLUSH_SECONDS = 2.0


class LiveService:
    def __init__(
        self, *, settings: Settings, database_url: str, sessions: SessionFactory, gateway: Gateway
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.broker = Broker(
            settings=settings, database_url=database_url, sessions=sessions, gateway=gateway
        )
        self.connections: weakref.WeakSet[LiveConnection] = weakref.WeakSet()
        self._keep_alive: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.broker.start()
        if self.settings.live_keepalive_interval > 0:
            self._keep_alive = asyncio.get_running_loop().create_task(self._ping_forever())

    async def stop(self) -> None:
        if self._keep_alive is not None:
            self._keep_alive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keep_alive
        connections = list(self.connections)
        for connection in connections:
            connection.close(*SERVICE_RESTART)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(c.finished() for c in connections), return_exceptions=True),
                SHUTDOWN_FLUSH_SECONDS,
            )
        await self.broker.stop()

    def release(self, connection: LiveConnection) -> None:
        """A connection is closing: its subscribers leave the broker."""
        for subscriber in connection.subscriptions.values():
            self.broker.leave(subscriber)
        connection.subscriptions.clear()

    async def _ping_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.live_keepalive_interval)
            for number, connection in enumerate(list(self.connections), start=1):
                connection.keep_alive()
                if number % KEEP_ALIVE_SLICE == 0:
                    await asyncio.sleep(0)

    def stats(self) -> dict[str, Any]:
        broker = self.broker
        return {
            "connections": len(self.connections),
            "subscribers": broker.registry.count,
            "filterGroups": broker.registry.filter_groups,
            "position": encode(broker.position),
            "listening": broker.listener.connected,
            "listenerReconnects": broker.listener.reconnects,
            **{_camel(key): value for key, value in asdict(broker.stats).items()},
        }


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
