"""Connection limits of a real ``hub serve``: WebSockets per client address (429) and per
process (1013), each with its reason; a deadline for request headers (slow loris), one for
the body, and the idle keep-alive timeout.

Client addresses are given as ``X-Forwarded-For`` (trusted from 127.0.0.1 by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from tests.helpers import without_request_ids
from tests.live_client import TRANSPORT_WS
from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

PER_ADDRESS = 3
PER_PROCESS = 5
SECONDS = 1  # header, body and keep-alive timeouts of the server under test


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    env = clean_env(
        HUB_DATABASE_URL=database_url,
        HUB_AUTO_MIGRATE="false",
        HUB_WS_MAX_PER_ADDRESS=str(PER_ADDRESS),
        HUB_WS_MAX_PER_PROCESS=str(PER_PROCESS),
        HUB_HTTP_HEADER_TIMEOUT=str(SECONDS),
        HUB_HTTP_BODY_TIMEOUT=str(SECONDS),
        HUB_HTTP_KEEP_ALIVE_TIMEOUT=str(SECONDS),
    )
    with ServerProcess.ready_with(env) as started:
        yield started


@contextlib.asynccontextmanager
async def socket_from(server: ServerProcess, address: str) -> AsyncIterator[ClientConnection]:
    async with websockets.connect(
        server.ws_url,
        subprotocols=[TRANSPORT_WS],  # type: ignore[list-item]
        additional_headers={"X-Forwarded-For": address},
        compression=None,
        open_timeout=10,
    ) as websocket:
        yield websocket


async def test_websockets_per_address_and_per_process(server: ServerProcess) -> None:
    async with contextlib.AsyncExitStack() as held:
        for _ in range(PER_ADDRESS):
            await held.enter_async_context(socket_from(server, "198.51.100.1"))
        with pytest.raises(websockets.InvalidStatus) as refused:
            await held.enter_async_context(socket_from(server, "198.51.100.1"))
        response = refused.value.response
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "30"
        assert json.loads(response.body) == {
            "errors": [
                {
                    "message": "Too many WebSockets from one address: at most 3 at once; "
                    "close one first",
                    "extensions": {"code": "TOO_MANY_CONNECTIONS"},
                }
            ]
        }
        for _ in range(PER_PROCESS - PER_ADDRESS):  # other addresses fill the process
            await held.enter_async_context(socket_from(server, "198.51.100.2"))
        async with socket_from(server, "198.51.100.3") as over:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(over.recv(), 10)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert closed.value.rcvd.reason == (
            "Try again later: this server holds its limit of 5 WebSockets"
        )
    # All closed: the address may connect again.
    async with socket_from(server, "198.51.100.1") as again:
        await again.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(again.recv(), 10))["type"] == "connection_ack"


async def open_raw(server: ServerProcess) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def closed_after(reader: asyncio.StreamReader, within: float = 10) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and after how long."""
    started = time.monotonic()
    received = await asyncio.wait_for(reader.read(), within)
    return received, time.monotonic() - started


async def test_slow_headers_slow_bodies_and_idle_connections_are_closed(
    server: ServerProcess,
) -> None:
    # A connection that never sends anything.
    reader, _ = await open_raw(server)
    received, waited = await closed_after(reader)
    assert received == b""
    assert SECONDS * 0.9 <= waited <= SECONDS + 2

    # Headers trickling in, a byte at a time, never complete (slow loris).
    reader, writer = await open_raw(server)
    writer.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\n")

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(40):
                writer.write(b"X")
                await writer.drain()
                await asyncio.sleep(0.1)

    trickling = asyncio.create_task(trickle())
    received, waited = await closed_after(reader)
    trickling.cancel()
    assert received.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert waited <= SECONDS + 2

    # Complete headers, a body that stops short of its Content-Length.
    reader, writer = await open_raw(server)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"query": '
    )
    received, waited = await closed_after(reader)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert without_request_ids(json.loads(body)) == {
        "errors": [
            {
                "message": "The request body did not arrive within 1 s",
                "extensions": {"code": "REQUEST_TIMEOUT"},
            }
        ]
    }

    # A complete request is answered; the idle keep-alive connection is then closed.
    reader, writer = await open_raw(server)
    writer.write(b"GET /health/live HTTP/1.1\r\nHost: hub\r\n\r\n")
    received, waited = await closed_after(reader)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert waited <= SECONDS + 2
