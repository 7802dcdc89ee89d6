"""Embedded PostgreSQL lifecycle, against real servers (no mocks)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hub.db.embedded import EmbeddedPostgres, EmbeddedPostgresError

AS_ROOT = os.geteuid() == 0


def _new_data_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="hub-embedded-", dir="/tmp"))
    path.chmod(0o755)  # pytest's tmp_path is 0700: unreachable for the service user
    return path


async def _connect(url: str) -> asyncpg.Connection:
    parts = urlsplit(url)
    host = parse_qs(parts.query)["host"][0]
    return await asyncpg.connect(host=host, user=parts.username, database=unquote(parts.path[1:]))


def _postmaster_pid(pg: EmbeddedPostgres) -> int:
    return int((pg.cluster_dir / "postmaster.pid").read_text().splitlines()[0])


def _wait_until_reaped(pid: int) -> None:
    """PostgreSQL refuses a lock file naming a live process, zombies included."""
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    path = _new_data_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(data_dir)
    pg.start()
    yield pg
    pg.stop()
    pg.stop()  # safe twice


def test_first_start_creates_cluster(server: EmbeddedPostgres, data_dir: Path) -> None:
    assert server.created
    assert server.cluster_dir == data_dir / "postgres"
    assert (data_dir / "postgres.log").is_file()
    assert server.url() == f"postgresql+asyncpg://hub@/hub?host={data_dir}/run"
    assert server.url("other db") == f"postgresql+asyncpg://hub@/other%20db?host={data_dir}/run"
    assert server.start() == server.url()  # idempotent


async def test_settings_and_not_root(server: EmbeddedPostgres, data_dir: Path) -> None:
    conn = await _connect(server.url())
    try:
        assert await conn.fetchval("SELECT current_setting('data_directory')") == str(
            data_dir / "postgres"
        )
        assert await conn.fetchval("SHOW listen_addresses") == ""
        assert await conn.fetchval("SHOW TimeZone") == "UTC"
        assert await conn.fetchval("SHOW max_connections") == "200"
        assert await conn.fetchval("SHOW fsync") == "on"
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
    finally:
        await conn.close()
    if AS_ROOT:
        assert os.stat(f"/proc/{_postmaster_pid(server)}").st_uid != 0
    assert (data_dir / "run").stat().st_mode & 0o777 == 0o700


async def test_extensions_and_indonesian_search(server: EmbeddedPostgres) -> None:
    conn = await _connect(server.url())
    try:
        for extension in ("pg_trgm", "unaccent", "ltree"):
            await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        assert await conn.fetchval("SELECT to_tsvector('indonesian', 'pemilihan')::text") == (
            "'pilih':1"
        )
        assert await conn.fetchval("SELECT to_tsvector('pemilihan')::text") == "'pilih':1"
        assert await conn.fetchval("SELECT unaccent('Café')") == "Cafe"
        assert await conn.fetchval("SELECT similarity('bakohumas', 'bakohumas')") == 1.0
    finally:
        await conn.close()


async def test_sqlalchemy_url(server: EmbeddedPostgres) -> None:
    engine = create_async_engine(server.url())
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_user"))).scalar() == "hub"
    finally:
        await engine.dispose()


async def test_restart_keeps_data(server: EmbeddedPostgres, data_dir: Path) -> None:
    conn = await _connect(server.url())
    await conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('persisted')")
    await conn.close()
    server.stop()
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    again = EmbeddedPostgres(data_dir)
    started = time.monotonic()
    url = again.start()
    assert time.monotonic() - started < 10
    assert not again.created
    conn = await _connect(url)
    assert await conn.fetchval("SELECT note FROM kept") == "persisted"
    await conn.close()
    again.stop()
    server.start()  # leave the shared server running for the next tests


async def test_second_instance_reuses_running_server(server: EmbeddedPostgres) -> None:
    pid = _postmaster_pid(server)
    with EmbeddedPostgres(server.data_dir, database="second") as other:
        assert not other.created
        assert _postmaster_pid(other) == pid
        conn = await _connect(other.url())
        assert await conn.fetchval("SELECT current_database()") == "second"
        await conn.close()
    conn = await _connect(server.url())  # other.stop() left the server running
    assert await conn.fetchval("SELECT 1") == 1
    await conn.close()


async def test_start_after_crash(server: EmbeddedPostgres) -> None:
    pid = _postmaster_pid(server)
    os.kill(pid, signal.SIGKILL)
    _wait_until_reaped(pid)
    assert (server.cluster_dir / "postmaster.pid").exists()  # stale lock file
    recovered = EmbeddedPostgres(server.data_dir)
    url = recovered.start()
    assert not recovered.created
    conn = await _connect(url)
    assert await conn.fetchval("SELECT note FROM kept") == "persisted"
    await conn.close()
    recovered.stop()
    server.start()


def test_long_data_dir_uses_short_socket_dir() -> None:
    data_dir = _new_data_dir() / ("x" * 100)
    pg = EmbeddedPostgres(data_dir)
    try:
        url = pg.start()
        socket_dir = Path(parse_qs(urlsplit(url).query)["host"][0])
        assert socket_dir.name.startswith("hub-pg-")
        assert len(os.fsencode(socket_dir / ".s.PGSQL.5432")) <= 107
        assert EmbeddedPostgres(data_dir).start() == url  # reuse finds the recorded socket
    finally:
        pg.stop()
        shutil.rmtree(data_dir.parent, ignore_errors=True)
    assert not socket_dir.exists()


@pytest.mark.skipif(not AS_ROOT, reason="only root runs the server as another user")
def test_unreachable_data_dir_is_explained() -> None:
    private = Path(tempfile.mkdtemp(dir="/tmp"))  # mode 0700
    try:
        with pytest.raises(EmbeddedPostgresError, match="HUB_DATA_DIR") as caught:
            EmbeddedPostgres(private / "data").start()
        message = str(caught.value)
        assert str(private) in message
        assert "\n" not in message
        assert not (private / "data" / "postgres").exists()
    finally:
        shutil.rmtree(private)
