"""The ``hub`` command as a user runs it: real subprocesses, real ports, real databases."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.helpers import free_port
from tests.postgres import new_shared_folder
from tests.servers import HUB, ServerProcess, clean_env

pytestmark = pytest.mark.slow

DEMO_QUERY = (
    '{ event(slug: "forum-bakohumas-kaltim-2023") { speakers { person { name } } } '
    "articles { totalCount nodes { slug tags { slug } } } }"
)


DEMO_ARTICLES = 242  # the forum's 2 and the newsroom's 240 (3 of them retracted)


def run_hub(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = new_shared_folder("hub-cli-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def _tag_demo_article(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO tags (slug, label) VALUES ('uji-restart', 'Uji restart')")
            )
            await connection.execute(
                text(
                    "INSERT INTO article_tags SELECT a.id, t.id FROM articles a, tags t "
                    "WHERE t.slug = 'uji-restart'"
                )
            )
    finally:
        await engine.dispose()


async def test_serve_embedded_answers_and_keeps_data_across_restarts(data_dir: Path) -> None:
    env = clean_env(HUB_DATA_DIR=str(data_dir))
    server = ServerProcess(env, free_port())
    try:
        server.wait_ready()
        data = server.query(DEMO_QUERY)
        assert data["articles"]["totalCount"] == DEMO_ARTICLES  # type: ignore[index]
        assert len(data["event"]["speakers"]) == 5  # type: ignore[index]
        from hub.db.embedded import EmbeddedPostgres

        # Write through the running server's database, then restart.
        await _tag_demo_article(EmbeddedPostgres(data_dir).start())
    finally:
        assert server.stop(signal.SIGTERM) == 0
    # The server started the embedded PostgreSQL, so it stopped it too (SIGTERM included).
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), server.output()

    again = ServerProcess(env, free_port())
    try:
        again.wait_ready()
        data = again.query(DEMO_QUERY)
    finally:
        again.stop()
    articles = data["articles"]["nodes"]  # type: ignore[index]
    assert data["articles"]["totalCount"] == DEMO_ARTICLES, "the demo is loaded once"  # type: ignore[index]
    for article in articles:  # type: ignore[attr-defined]
        assert {"slug": "uji-restart"} in article["tags"]


def test_bad_database_url_is_one_line_and_nonzero() -> None:
    port = free_port()  # nothing listens here
    result = run_hub(
        "migrate", "current", env=clean_env(HUB_DATABASE_URL=f"postgresql://hub@127.0.0.1:{port}/x")
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        f"hub: error: cannot connect to PostgreSQL at hub@127.0.0.1:{port}/x"
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HUB_DATABASE_URL", "mysql://root@localhost/hub", "not a PostgreSQL URL"),
        ("HUB_LOG_LEVEL", "verbose", "HUB_LOG_LEVEL: Input should be 'critical', 'error'"),
        ("HUB_LOG_FORMAT", "xml", "HUB_LOG_FORMAT: Input should be 'text' or 'json'"),
        ("HUB_PORT", "eighty", "HUB_PORT: Input should be a valid integer"),
        ("HUB_LIVE_RETENTION", "a week", "HUB_LIVE_RETENTION: Input should be a valid"),
    ],
)
def test_invalid_settings_are_one_line(variable: str, value: str, message: str) -> None:
    result = run_hub("serve", env=clean_env(**{variable: value}))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("hub: error: invalid settings: ") or variable.endswith("URL")
    assert message in result.stderr


def test_version() -> None:
    import hub

    result = run_hub("--version", env=clean_env())
    assert result.returncode == 0
    assert result.stdout.startswith(f"hub {hub.__version__} (Python 3.")
    assert "embedded PostgreSQL 17." in result.stdout


def test_port_in_use(database_url: str) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_hub("serve", "--port", str(port), env=clean_env(HUB_DATABASE_URL=database_url))
    assert result.returncode == 1
    assert result.stderr == (
        f"hub: error: port {port} on 127.0.0.1 is already in use; choose another with --port\n"
    )


def test_migrate_commands_and_failed_migration(database_url: str) -> None:
    env = clean_env(HUB_DATABASE_URL=database_url)
    current = run_hub("migrate", "current", env=env)
    assert current.returncode == 0, current.stderr
    assert "up to date" in current.stdout

    down = run_hub("migrate", "downgrade", "base", env=env)
    assert down.returncode == 0, down.stderr
    assert "base" in down.stdout

    up = run_hub("migrate", "upgrade", env=env)
    assert up.returncode == 0, up.stderr

    missing = run_hub("migrate", "upgrade", "no-such-revision", env=env)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1, missing.stderr
    assert missing.stderr.startswith("hub: error: migration failed:")


def test_seed_is_idempotent(database_url: str) -> None:
    env = clean_env(HUB_DATABASE_URL=database_url)
    for _ in range(2):
        result = run_hub("seed", "--demo", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "reference data loaded with the demo content\n"


def test_schema_command_prints_sdl() -> None:
    result = run_hub("schema", env=clean_env())
    assert result.returncode == 0
    assert "type Query {" in result.stdout


async def stored_account(url: str, email: str) -> tuple[str, bool]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT password_hash, is_platform_admin FROM accounts WHERE email = :e"),
                    {"e": email},
                )
            ).one()
    finally:
        await engine.dispose()
    return row[0], row[1]


def create(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, input="sandi operator panjang\n", capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip


async def test_create_account_stores_an_argon2_hash(database_url: str) -> None:
    env = clean_env(HUB_DATABASE_URL=database_url)
    command = [*HUB, "create-account", "root@hub.go.id", "--name", "Operator", "--platform-admin"]
    created = await asyncio.to_thread(create, command, env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "platform admin root@hub.go.id created"
    password_hash, platform_admin = await stored_account(database_url, "root@hub.go.id")
    assert platform_admin
    assert PasswordHasher().verify(password_hash, "sandi operator panjang")
    again = await asyncio.to_thread(create, command, env)
    assert again.returncode == 1
    assert again.stderr.strip() == "hub: error: an account root@hub.go.id exists already"
