"""Typed settings, read from ``HUB_*`` environment variables.

Built once (``Settings()``) by the CLI or ``create_app`` and passed down; nothing reads
the environment at import time.
"""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.origins import OriginPolicy, parse_origins

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class LogLevel(StrEnum):
    """uvicorn's level names (``trace`` is below ``debug``)."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"
    TRACE = "trace"


class PersistedQueries(StrEnum):
    """Which GraphQL documents run (see hub/persisted.py)."""

    OFF = "off"  # text only: documents named by id are not supported
    AUTOMATIC = "automatic"  # any; clients may register documents and then send their hash
    TRUSTED = "trusted"  # only those pushed from a manifest (`hub operations push`)


class LogFormat(StrEnum):
    TEXT = "text"  # one readable line per record, for a terminal
    JSON = "json"  # one JSON object per line, for a log collector


def default_data_dir() -> Path:
    """Per-user data folder; a system folder when running as root.

    The embedded PostgreSQL server never runs as root, so its files must live where an
    unprivileged user can reach them: ``/root`` is private, hence ``/var/lib/hub``.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/hub")
    return Path(platformdirs.user_data_dir("hub", appauthor=False))


class Settings(BaseSettings):
    """Every knob of the service. See the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset: run the embedded server under data_dir.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    log_level: LogLevel = LogLevel.INFO
    tracing: bool = Field(
        default=True,
        description="Trace with OpenTelemetry when its packages are installed and configured",
    )
    log_format: LogFormat = Field(
        default=LogFormat.TEXT, description="`text` for people, `json` for log collectors"
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pre_ping: bool = Field(
        default=False,
        description="Ping each pooled connection before use (three round trips with asyncpg). "
        "Off, a connection the server closed is still replaced before use (its socket is "
        "closed); only one cut silently on the way (an idle-timeout firewall) fails one request",
    )
    max_page_size: int = Field(default=100, ge=1, le=1000)
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Largest HTTP request body /graphql reads; larger ones get 413",
    )
    projected_reads: bool = Field(
        default=True,
        description="Serve article lists that ask only for plain data with one SQL statement",
    )
    graphiql: bool | None = Field(default=None, description="Default: on in development")
    response_cache_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=0,
        description="Bytes of anonymous query answers each process keeps (LRU); 0: no cache",
    )
    response_cache_ttl: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a cached answer lives at most (bounds what the outbox does not "
        "carry: directory edits, view counts, the current election stage)",
    )
    secret_key: str = DEVELOPMENT_SECRET
    access_token_ttl: int = Field(
        default=900, ge=30, le=86_400, description="Lifetime of an access token, in seconds"
    )
    refresh_token_ttl: int = Field(
        default=30 * 86_400, ge=60, description="Lifetime of a refresh token, in seconds"
    )
    argon2_time_cost: int = Field(default=3, ge=1, description="argon2id iterations")
    argon2_memory_kib: int = Field(default=65_536, ge=8, description="argon2id memory (KiB)")
    argon2_parallelism: int = Field(default=2, ge=1, description="argon2id lanes")
    demo_on_first_start: bool = True
    auto_migrate: bool = Field(
        default=True, description="`hub serve` upgrades the schema and reference data first"
    )
    # Live updates (subscriptions over WebSocket and Server-Sent Events)
    live_retention: timedelta = Field(
        default=timedelta(days=7), description="How far back an `after` cursor may resume"
    )
    live_catch_up_interval: float = Field(
        default=2.0, gt=0, description="Seconds between outbox reads when no notification came"
    )
    live_queue_size: int = Field(
        default=256, ge=2, description="Messages queued per connection before it counts as slow"
    )
    live_connection_init_timeout: float = Field(default=10.0, gt=0)
    live_keepalive_interval: float = Field(
        default=15.0, ge=0, description="Seconds between pings (graphql-ws: `ka`); 0: none"
    )
    live_max_subscriptions_per_connection: int = Field(default=20, ge=1)
    live_allowed_origins: str = Field(
        default="", description="Deprecated: read as part of `cors_allowed_origins`"
    )
    live_gc_freeze_interval: float = Field(
        default=10.0,
        ge=0,
        description="Seconds between moving long-lived objects out of the garbage collector's "
        "sight (short pauses with many connections); 0: leave the collector alone",
    )
    ws_per_message_deflate: bool = Field(
        default=False, description="Offer WebSocket compression (costs ~40 KB per connection)"
    )
    # Restarts and reconnect storms
    live_history_size: int = Field(
        default=5_000,
        ge=0,
        description="Recent changes the broker keeps in memory: resumes behind the live "
        "position within them read no SQL; 0: every resume reads the outbox",
    )
    live_history_seconds: float = Field(
        default=900.0,
        ge=0,
        description="Longest age of a change kept in that window (capped by the retention)",
    )
    live_lookup_ttl: float = Field(
        default=300.0,
        ge=0,
        description="Seconds a known filter value (region, agency, tag, ...) is remembered, so "
        "subscribing reads no SQL; 0: look up every time",
    )
    live_handshakes: int = Field(
        default=256,
        ge=0,
        description="WebSockets between their handshake and their first subscription at once; "
        "others wait in order; 0: no limit",
    )
    live_handshake_wait: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a WebSocket waits for its turn before it is told to retry (1013)",
    )
    listen_backlog: int = Field(
        default=16_384,
        ge=1,
        description="Connections the kernel queues before the server accepts them (capped by "
        "net.core.somaxconn)",
    )
    shutdown_spread: float = Field(
        default=5.0,
        ge=0,
        description="On shutdown each WebSocket is told to reconnect after a delay drawn from "
        "this many seconds, so clients come back spread out",
    )
    health_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Also answer /health/* on this port from a thread of its own, never "
        "behind WebSocket work; unset: only on the main port",
    )
    # The HTTP edge: browsers on other origins, HTTP caches, compression
    cors_allowed_origins: str = Field(
        default="",
        description="Comma-separated browser origins (scheme://host[:port]) allowed to call "
        "/graphql over HTTP and WebSocket besides Hub's own; `*`: any",
    )
    cors_allow_credentials: bool = Field(
        default=False,
        description="Let browsers send cookies and HTTP authentication cross-origin (not with `*`)",
    )
    cors_max_age: int = Field(
        default=3600, ge=0, le=86_400, description="Seconds a browser may reuse a preflight answer"
    )
    http_cache_max_age: int = Field(
        default=10,
        ge=0,
        description="Seconds browsers and CDNs may reuse an anonymous GET query's answer",
    )
    http_cache_stale_while_revalidate: int = Field(
        default=30,
        ge=0,
        description="Seconds after that a cache may still serve it while it fetches a new one",
    )
    http_compression_min_bytes: int = Field(
        default=1024, ge=0, description="Smallest response body compressed (gzip, or br)"
    )
    persisted_queries: PersistedQueries = Field(
        default=PersistedQueries.AUTOMATIC,
        description="`automatic`: any document, hashes registered as they come; `trusted`: "
        "only documents pushed from a manifest; `off`: no documents by id",
    )
    persisted_queries_cache_size: int = Field(
        default=1000, ge=0, description="Persisted documents each process keeps in memory"
    )
    # Limits and abuse: logins, quotas, connections, the database going away
    login_account_free_failures: int = Field(
        default=5, ge=1, description="Failed logins of one e-mail address before waits begin"
    )
    login_account_lockout_failures: int = Field(
        default=10, ge=1, description="Failed logins of one e-mail address that lock it"
    )
    login_address_free_failures: int = Field(
        default=20, ge=1, description="Failed logins from one client address before waits begin"
    )
    login_address_lockout_failures: int = Field(
        default=100, ge=1, description="Failed logins from one client address that lock it"
    )
    login_backoff_seconds: float = Field(
        default=1.0, gt=0, description="The first wait after the free failures; each doubles it"
    )
    login_lockout_seconds: int = Field(
        default=900, ge=1, description="How long a lockout lasts (and the longest wait)"
    )
    login_failure_window: int = Field(
        default=3600, ge=1, description="Seconds without a failure after which a count restarts"
    )
    login_audit_days: int = Field(
        default=90, ge=1, description="Days the audit log keeps failed logins"
    )
    password_workers: int = Field(
        default=1, ge=1, description="Threads per process computing password hashes (argon2)"
    )
    password_queue: int = Field(
        default=16, ge=0, description="Password checks waiting per process; more: RATE_LIMITED"
    )
    quota_anonymous_requests: int = Field(
        default=300, ge=0, description="Requests per minute per client address; 0: no limit"
    )
    quota_anonymous_cost: int = Field(
        default=50_000, ge=0, description="Query cost per minute per client address; 0: no limit"
    )
    quota_api_key_requests: int = Field(
        default=1_200, ge=0, description="Requests per minute per API key; 0: no limit"
    )
    quota_api_key_cost: int = Field(
        default=500_000, ge=0, description="Query cost per minute per API key; 0: no limit"
    )
    quota_account_requests: int = Field(
        default=1_200, ge=0, description="Requests per minute per logged-in account; 0: no limit"
    )
    quota_account_cost: int = Field(
        default=200_000, ge=0, description="Query cost per minute per account; 0: no limit"
    )
    quota_sync_interval: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="Seconds between two exchanges of a process's counts with the database",
    )
    ws_max_per_address: int = Field(
        default=100,
        ge=0,
        description="Open WebSockets and event streams per client address; 0: no limit",
    )
    ws_max_per_process: int = Field(
        default=15_000,
        ge=0,
        description="Open WebSockets and event streams per process; 0: no limit",
    )
    http_header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to receive a request's headers"
    )
    http_body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to receive a request's body (after its headers)"
    )
    http_keep_alive_timeout: int = Field(
        default=5, ge=1, description="Seconds an idle keep-alive connection stays open"
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For / X-Forwarded-Proto are trusted (addresses "
        "or networks, comma-separated; `*`: any; empty: none)",
    )
    db_connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to open a database connection"
    )
    # Limits on one operation (hub.schema.limits), over every transport
    max_query_characters: int = Field(
        default=20_000, ge=100, description="Longest GraphQL document, in characters"
    )
    max_query_tokens: int = Field(
        default=2_000, ge=50, description="Most tokens (names, punctuation, values) in a document"
    )
    max_query_depth: int = Field(
        default=10, ge=2, description="Deepest nesting of fields in an operation"
    )
    max_query_aliases: int = Field(default=30, ge=0, description="Most aliases in an operation")
    max_query_directives: int = Field(
        default=30, ge=0, description="Most directives (`@include`, `@skip`) in an operation"
    )
    cost_budget_anonymous: int = Field(
        default=5_000,
        ge=1,
        description="Largest cost (nodes an operation can return) of one anonymous operation",
    )
    cost_budget_account: int = Field(
        default=20_000, ge=1, description="Largest cost of one operation of a logged-in account"
    )
    cost_budget_api_key: int = Field(
        default=50_000,
        ge=1,
        description="Largest cost of one operation of an API key (a key may carry its own)",
    )
    cost_list_items: int = Field(
        default=10,
        ge=1,
        description="Items a list that is not paginated counts as, unless its field declares "
        "its bound",
    )
    db_statement_timeout: float = Field(
        default=5.0, ge=0, description="Seconds one SQL statement of a request may run; 0: none"
    )
    query_timeout: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a query (not a mutation) may run before it is stopped; 0: none",
    )

    @field_validator("log_level", "log_format", "persisted_queries", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_database_url(value.strip())

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment is not Environment.PRODUCTION:
            if not self.secret_key:
                self.secret_key = DEVELOPMENT_SECRET
            return self
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"HUB_SECRET_KEY must be a random secret of at least {MIN_SECRET_LENGTH} "
                "characters in production"
            )
        return self

    @model_validator(mode="after")
    def _check_origins(self) -> Settings:
        policy = self.origin_policy  # malformed entries raise here, at start-up
        if policy.any and self.cors_allow_credentials:
            raise ValueError(
                "HUB_CORS_ALLOWED_ORIGINS cannot be `*` with HUB_CORS_ALLOW_CREDENTIALS: "
                "list the origins"
            )
        return self

    @property
    def origin_policy(self) -> OriginPolicy:
        """The browser origins allowed over HTTP and WebSocket (the deprecated live setting's
        included)."""
        return OriginPolicy.of(
            parse_origins(self.cors_allowed_origins) + parse_origins(self.live_allowed_origins)
        )

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment is not Environment.PRODUCTION


def normalise_database_url(url: str) -> str:
    """Return the SQLAlchemy asyncpg form of a ``postgres://`` / ``postgresql://`` URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(
        f"not a PostgreSQL URL: {url.split('://', 1)[0]}:// (expected postgresql://...)"
    )
