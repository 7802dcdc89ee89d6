"""Real servers for tests: the app under an in-process uvicorn, or `hub serve` processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn

from hub.app import create_app
from hub.http.protocol import HubHttpProtocol
from hub.realtime.direct import DirectWebSocketProtocol
from hub.settings import Settings
from tests.helpers import free_port

HUB = [sys.executable, "-m", "hub"]


@contextlib.asynccontextmanager
async def serving(settings: Settings, *, ws: Any = DirectWebSocketProtocol) -> AsyncIterator[str]:
    """Serve the app on a free port in this event loop, with the HTTP and WebSocket protocols
    of ``hub serve`` (or ``ws``: e.g. ``"websockets-sansio"``, plain ASGI); yields
    ``127.0.0.1:<port>``."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        ws=ws,
        ws_per_message_deflate=False,
        http=HubHttpProtocol,
    )
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


CHEAP_PASSWORD_HASHES = {  # logins are not what these tests measure
    "HUB_ARGON2_TIME_COST": "1",
    "HUB_ARGON2_MEMORY_KIB": "1024",
    "HUB_ARGON2_PARALLELISM": "1",
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a server process: no inherited ``HUB_*``, no response cache (tests
    write rows past the outbox), then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return {**env, **CHEAP_PASSWORD_HASHES, "HUB_RESPONSE_CACHE_BYTES": "0", **extra}


class ServerProcess:
    """``hub serve`` in a subprocess on its own port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [*HUB, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        # Read the output while the server runs: a full pipe (an access log line per request)
        # would block the server's next write, and with it its event loop.
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        if self.process.stdout is not None:
            for line in self.process.stdout:
                self._lines.append(line)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("server did not become ready")

    async def ready(self) -> None:
        await asyncio.to_thread(self.wait_ready)

    def query(self, query: str) -> dict[str, object]:
        response = httpx.post(f"{self.url}/graphql", json={"query": query}, timeout=10)
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, object] = body["data"]
        return data

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def output(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        self._reader.join(timeout=10)
        return "".join(self._lines)
