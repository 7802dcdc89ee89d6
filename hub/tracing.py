"""OpenTelemetry tracing, when its packages are installed (``pip install 'hub[otel]'``).

:func:`middleware` gives ``create_app`` what to mount: OpenTelemetry's ASGI instrumentation
(a server span per HTTP request and WebSocket connection, continuing the caller's W3C
``traceparent``) and a small middleware that puts the request id on that span
(``hub.request_id``), so a trace, the log lines and an error's ``extensions.requestId``
name the same call. ``/metrics`` and ``/health/*`` are not traced. :func:`annotate` adds
attributes to the current span (the endpoint adds the operation's name and outcome).

Tracing is on when the packages are importable, ``HUB_TRACING`` is true, and spans have
somewhere to go: a tracer provider the embedding program configured already, or an OTLP
endpoint in the standard variables (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; then the SDK exports over OTLP/HTTP, service name
``hub`` unless ``OTEL_SERVICE_NAME`` says otherwise). Otherwise nothing is added and
:func:`annotate` does nothing.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.request_id import current_request_id
from hub.settings import Settings

logger = logging.getLogger("hub.tracing")

UNTRACED = "/metrics,/health/.*"  # scraped and probed every few seconds: noise
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

try:
    from opentelemetry import trace
except ImportError:  # the optional extra is not installed
    trace = None  # type: ignore[assignment]


def available() -> bool:
    return trace is not None


def configured() -> bool:
    """A tracer provider is in place, or one is set up now from the OTLP variables."""
    if trace is None:
        return False
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return True  # the embedding program (or an earlier call) configured one
    if not any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = os.environ.get("OTEL_SERVICE_NAME", "hub")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    logger.info("tracing: exporting spans over OTLP/HTTP as %s", service)
    return True


def middleware(settings: Settings) -> list[Middleware]:
    """The tracing middleware to mount inside the request-id middleware (or none)."""
    if not settings.tracing or not configured():
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return [
        Middleware(OpenTelemetryMiddleware, excluded_urls=UNTRACED),
        Middleware(RequestIdOnSpan),
    ]


class RequestIdOnSpan:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            annotate(**{"hub.request_id": current_request_id()})
        await self.app(scope, receive, send)


def annotate(**attributes: Any) -> None:
    """Set attributes (``None`` values left out) on the current span, if one is recording."""
    if trace is None:
        return
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({k: v for k, v in attributes.items() if v is not None})
