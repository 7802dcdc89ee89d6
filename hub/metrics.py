"""Prometheus metrics of one application, served at ``/metrics`` (prometheus-client).

:class:`Metrics` declares every metric once, in sections: GraphQL requests, SQL statements,
live delivery, the response cache, the process. Each application has its own registry, so
several applications in one process (tests) never collide.

Values come from four places:

* the HTTP endpoint reports each GraphQL request (:meth:`Metrics.observe_request`): its
  operation name and outcome, its duration and its SQL statements, counted by
  :class:`StatementCounter` inside :func:`counting_statements`;
* the response cache's counters (``ResponseCache.stats``), read at scrape time;
* the live service's own counters (``LiveService.stats()``, the same numbers as
  ``/health/realtime``), read at scrape time, and the outbox backlog behind the broker,
  queried at scrape time (one statement per scrape);
* :class:`MeasuredGateway`, which wraps the live gateway and observes how old each change
  is when it is rendered for its first delivery (from the outbox row's ``created_at``, the
  writing transaction's start, on the database server's clock).

Each process keeps its own numbers: with ``HUB_WORKERS`` > 1 a scrape reads the worker that
answers it (run one worker per container, or scrape each process).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response

import hub
from hub.realtime.changes import Change
from hub.realtime.cursor import ORIGIN, Position
from hub.realtime.frames import Rendered
from hub.realtime.gateway import Gateway, LiveStart, Rejected, Resume, SingleResult

LIVE = "hub_live"  # execution option marking the live service's statements

# Operation names come from clients: keep the label set small and printable.
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 200  # distinct names per process; later ones count as "other"
ANONYMOUS_OPERATION = "anonymous"
OTHER_OPERATION = "other"

REQUEST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STATEMENTS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
DELIVERY_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# ``LiveService.stats()`` keys: counters (only grow) and gauges (the state now), with help.
LIVE_COUNTERS = {
    "changesRead": "Outbox rows read by the broker",
    "outboxReads": "Reads of the outbox by the broker",
    "renders": "Payloads rendered (once per distinct selection and change)",
    "deliveries": "Payloads handed to subscribers",
    "replays": "Subscriptions that replayed missed changes from a cursor",
    "readFailures": "Outbox reads that failed and were retried",
    "renderRetries": "Renders that failed and were retried",
    "listenerReconnects": "Reconnects of the LISTEN connection",
    "heapFreezes": "Moves of long-lived objects out of the garbage collector's sight",
    "heapReclaims": "Full garbage collections run to reclaim closed connections",
    "liveSqlStatements": "SQL statements sent by the live service",
}
PROCESS_COUNTERS = {"sqlStatements": ("hub_sql_statements", "SQL statements sent by this process")}
# The response cache's ``CacheStats`` fields (``hub_response_cache_*``): counters and gauges.
CACHE_COUNTERS = {
    "hits": "Anonymous queries answered from the response cache",
    "misses": "Cacheable queries the response cache did not hold",
    "invalidations": "Cached answers dropped by outbox changes",
    "evictions": "Cached answers dropped to make room",
    "expirations": "Cached answers dropped at the end of their lifetime",
    "late": "Answers not kept: a change seen while they were read concerned them",
}
CACHE_GAUGES = {
    "hit_ratio": "Hits over lookups since the process started",
    "bytes": "Bytes held by the response cache",
    "entries": "Answers held by the response cache",
    "capacity": "Bytes the response cache may hold (HUB_RESPONSE_CACHE_BYTES)",
}
LIVE_GAUGES = {
    "connections": "Open WebSocket connections",
    "subscribers": "Live subscriptions",
    "filterGroups": "Distinct subscription filters",
    "listening": "1 while the LISTEN connection is up",
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- SQL statements ---------------------------------------------------------------------------

_request_statements: ContextVar[list[int] | None] = ContextVar(
    "hub_request_statements", default=None
)


class StatementCounter:
    """A ``before_cursor_execute`` listener: counts the statements the engine sends, those
    of the live service among them, and those of the request being counted (see
    :func:`counting_statements`)."""

    def __init__(self) -> None:
        self.count = 0
        self.live = 0

    def __call__(self, *arguments: Any) -> None:
        self.count += 1
        context = arguments[4]
        if context is not None and context.execution_options.get(LIVE):
            self.live += 1
        elif (counted := _request_statements.get()) is not None:
            counted[0] += 1


@contextlib.contextmanager
def counting_statements() -> Iterator[list[int]]:
    """Count the statements of the code run inside (and of the tasks it starts, which
    inherit the context: DataLoader batches); the count is in ``[0]`` of what it yields."""
    counted = [0]
    token = _request_statements.set(counted)
    try:
        yield counted
    finally:
        _request_statements.reset(token)


# -- the metrics ---------------------------------------------------------------------------------


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self._operations: set[str] = set()

        # GraphQL requests over HTTP (reported by the endpoint)
        self.requests = Counter(
            "hub_graphql_requests",
            "GraphQL requests over HTTP by operation name and outcome",
            ["operation", "outcome"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "hub_graphql_request_duration_seconds",
            "Time to answer a GraphQL request over HTTP, by operation name",
            ["operation"],
            buckets=REQUEST_SECONDS,
            registry=registry,
        )
        self.request_statements = Histogram(
            "hub_graphql_request_sql_statements",
            "SQL statements sent for one GraphQL request over HTTP",
            buckets=STATEMENTS,
            registry=registry,
        )

        # Live delivery (see MeasuredGateway and LiveCollector)
        self.delivery_seconds = Histogram(
            "hub_live_delivery_latency_seconds",
            "Age of a change (from its outbox row) when rendered for its first delivery",
            buckets=DELIVERY_SECONDS,
            registry=registry,
        )
        self.outbox_backlog_rows = Gauge(
            "hub_live_outbox_lag_rows",
            "Committed outbox rows this process's broker has not dispatched yet",
            registry=registry,
        )
        self.outbox_backlog_seconds = Gauge(
            "hub_live_outbox_lag_seconds",
            "Age of the oldest outbox row this process's broker has not dispatched (0: none)",
            registry=registry,
        )

        # The response cache: see CacheCollector (registered by watch_response_cache)

        # The process
        Info("hub", "Hub's version", registry=registry).info({"version": hub.__version__})
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)

    def operation_label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS_OPERATION
        if not OPERATION_NAME.fullmatch(name):
            return OTHER_OPERATION
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_NAMES:
                return OTHER_OPERATION
            self._operations.add(name)
        return name

    def observe_request(
        self, *, operation: str | None, outcome: str, seconds: float, statements: int
    ) -> None:
        label = self.operation_label(operation)
        self.requests.labels(label, outcome).inc()
        self.request_seconds.labels(label).observe(seconds)
        self.request_statements.observe(statements)

    def watch_live(self, stats: Callable[[], Mapping[str, Any]]) -> None:
        """Report the live service's counters (read at each scrape)."""
        self.registry.register(LiveCollector(stats))

    def watch_response_cache(self, stats: Callable[[], Any]) -> None:
        """Report the response cache's counters (its ``CacheStats``, read at each scrape)."""
        self.registry.register(CacheCollector(stats))

    async def refresh_backlog(self, backlog: Callable[[], Any]) -> None:
        """Query the outbox backlog (an awaitable giving ``(rows, seconds)``)."""
        rows, seconds = await backlog()
        self.outbox_backlog_rows.set(rows)
        self.outbox_backlog_seconds.set(seconds)

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class LiveCollector:
    """``LiveService.stats()`` (with the process's statement counts, as ``/health/realtime``
    shows them) as Prometheus counters and gauges, at scrape time."""

    def __init__(self, stats: Callable[[], Mapping[str, Any]]) -> None:
        self.stats = stats

    def describe(self) -> list[Metric]:
        return []  # values exist only once the application runs

    def collect(self) -> Iterator[Metric]:
        try:
            stats = self.stats()
        except RuntimeError:  # not started yet, or stopped
            return
        for key, help_text in LIVE_COUNTERS.items():
            if isinstance(value := stats.get(key), int | float):
                yield CounterMetricFamily(f"hub_live_{snake(key)}", help_text, value=value)
        for key, (name, help_text) in PROCESS_COUNTERS.items():
            if isinstance(value := stats.get(key), int | float):
                yield CounterMetricFamily(name, help_text, value=value)
        for key, help_text in LIVE_GAUGES.items():
            if isinstance(value := stats.get(key), int | float):
                yield GaugeMetricFamily(f"hub_live_{snake(key)}", help_text, value=float(value))


class CacheCollector:
    """The response cache's ``CacheStats`` as Prometheus counters and gauges."""

    def __init__(self, stats: Callable[[], Any]) -> None:
        self.stats = stats

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        stats = self.stats()
        for key, help_text in CACHE_COUNTERS.items():
            yield CounterMetricFamily(
                f"hub_response_cache_{key}", help_text, value=getattr(stats, key)
            )
        for key, help_text in CACHE_GAUGES.items():
            yield GaugeMetricFamily(
                f"hub_response_cache_{key}", help_text, value=float(getattr(stats, key))
            )


class MeasuredGateway:
    """A :class:`Gateway` that observes the age of each change rendered past the highest
    position seen so far (replays of older changes are not deliveries of new ones)."""

    def __init__(self, gateway: Gateway, metrics: Metrics) -> None:
        self.gateway = gateway
        self.metrics = metrics
        self.seen: Position = ORIGIN

    def start_at(self, position: Position) -> None:
        """Changes up to ``position`` were there before the service started."""
        self.seen = max(self.seen, position)

    async def authenticate(self, authorization: str | None) -> Rejected | None:
        return await self.gateway.authenticate(authorization)

    async def prepare(
        self,
        payload: Mapping[str, Any],
        authorization: str | None,
        client_address: str | None = None,
        *,
        resume: Resume | None = None,
        mutations: bool = True,
    ) -> Rejected | SingleResult | LiveStart:
        return await self.gateway.prepare(
            payload, authorization, client_address, resume=resume, mutations=mutations
        )

    async def render(
        self, jobs: Sequence[tuple[Hashable, Change]], *, tolerate_errors: bool
    ) -> dict[tuple[Hashable, Position], Rendered]:
        rendered = await self.gateway.render(jobs, tolerate_errors=tolerate_errors)
        now = time.time()
        newest = self.seen
        for change in {change.position: change for _, change in jobs}.values():
            if change.position > self.seen:
                self.metrics.delivery_seconds.observe(max(0.0, now - change.created_at.timestamp()))
                newest = max(newest, change.position)
        self.seen = newest
        return rendered


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: the text exposition format."""
    state = request.app.state
    await state.metrics.refresh_backlog(state.outbox_backlog)
    metrics: Metrics = state.metrics
    return metrics.exposition()
