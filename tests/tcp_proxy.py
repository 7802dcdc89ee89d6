"""A TCP proxy in front of PostgreSQL that a test can cut and restore: the database becomes
unreachable for real (open connections are closed, new ones refused), then comes back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.engine import make_url

from tests.helpers import free_port


class DatabaseProxy:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        host = url.host or url.query.get("host")
        assert isinstance(host, str)
        self.target_host, self.target_port = host, url.port or 5432
        self.port = free_port()
        self.url = url.set(host="127.0.0.1", port=self.port, query={}).render_as_string(
            hide_password=False
        )
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.target_host.startswith("/"):  # a unix socket folder (the embedded server)
            return await asyncio.open_unix_connection(
                f"{self.target_host}/.s.PGSQL.{self.target_port}"
            )
        return await asyncio.open_connection(self.target_host, self.target_port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            target_reader, target_writer = await self._open_target()
            try:
                await asyncio.gather(_pipe(reader, target_writer), _pipe(target_reader, writer))
            finally:
                target_writer.close()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._pipes.discard(task)

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65_536):
        writer.write(data)
        await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def database_proxy(database_url: str) -> AsyncIterator[DatabaseProxy]:
    proxy = DatabaseProxy(database_url)
    await proxy.restore()
    try:
        yield proxy
    finally:
        await proxy.cut()
