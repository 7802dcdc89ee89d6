"""Request ids: one per HTTP request or WebSocket connection, for logs, errors and metrics.

``RequestIdMiddleware`` (pure ASGI, every route) takes the caller's ``X-Request-ID`` when it
is a sensible token (a proxy or client that already named the call), otherwise makes one,
keeps it in a context variable for everything the request runs (loaders and tasks started
from it inherit it) and returns it in the ``X-Request-ID`` response header (HTTP; a
WebSocket connection keeps one id for its lifetime).
``current_request_id()`` reads it anywhere: log records, GraphQL error extensions, the
request context.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# What we accept from outside: it ends up in log lines and JSON, so no spaces, quotes or
# control characters, and not unbounded.
ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")

_current: ContextVar[str | None] = ContextVar("hub_request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_or_new(value: str | None) -> str:
    if value is not None and ACCEPTED.fullmatch(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = accepted_or_new(Headers(scope=scope).get(HEADER))
        token = _current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            # A WebSocket keeps its id for its log lines; its messages pass untouched (the
            # live path writes many small frames).
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            _current.reset(token)
