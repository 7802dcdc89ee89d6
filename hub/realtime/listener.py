"""The process's one ``LISTEN`` connection: a wake-up signal, never the source of truth.

``run`` keeps a connection listening on the outbox channel, reconnecting with backoff when
it is lost (probing it periodically, so a silently dead connection is noticed too). After
every (re)connect it calls ``on_connected``: whatever committed while nobody listened is
then read from the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from hub.db.repositories.outbox import CHANNEL
from hub.db.session import asyncpg_arguments

logger = logging.getLogger("hub.realtime")

APPLICATION_NAME = "hub-listener"
CONNECT_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0
FIRST_RETRY_DELAY = 0.2
LONGEST_RETRY_DELAY = 5.0


class Listener:
    def __init__(
        self,
        database_url: str,
        *,
        on_notify: Callable[[str], None],
        on_connected: Callable[[], None],
        probe_interval: float,
    ) -> None:
        self.database_url = database_url
        self.on_notify = on_notify
        self.on_connected = on_connected
        self.probe_interval = probe_interval
        self.connected = False
        self.reconnects = 0

    async def run(self) -> None:
        delay = FIRST_RETRY_DELAY
        while True:
            try:
                connection = await asyncpg.connect(
                    **asyncpg_arguments(self.database_url),
                    timeout=CONNECT_TIMEOUT,
                    server_settings={"application_name": APPLICATION_NAME},
                )
            except (OSError, TimeoutError, asyncpg.PostgresError) as error:
                logger.warning("outbox listener cannot connect (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, LONGEST_RETRY_DELAY)
                continue
            try:
                await self._listen(connection)
                delay = FIRST_RETRY_DELAY
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                logger.warning("outbox listener lost its connection (%s); reconnecting", error)
            finally:
                self.connected = False
                connection.terminate()
            self.reconnects += 1
            await asyncio.sleep(delay)

    async def _listen(self, connection: Any) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(CHANNEL, self._notified)
        self.connected = True
        self.on_connected()
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), self.probe_interval)
            except TimeoutError:
                await asyncio.wait_for(connection.fetchval("SELECT 1"), PROBE_TIMEOUT)
        logger.warning("outbox listener connection closed; reconnecting")

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.on_notify(payload)
