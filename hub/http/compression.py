"""Compressed answers: ``br`` (when the optional ``brotli`` package is installed) or ``gzip``,
as the client's ``Accept-Encoding`` allows, for a whole response body of at least
``HUB_HTTP_COMPRESSION_MIN_BYTES`` in a textual media type.

Only responses sent in one piece are compressed: a streamed response (server-sent events,
multipart, any body sent in parts) passes untouched, its headers at once and every event as it
is written; WebSocket connections are not HTTP responses and are never seen here. Responses that
could be compressed say ``Vary: Accept-Encoding``, so shared caches keep one copy per encoding.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.http.qvalues import weighted

TEXTUAL = (
    "application/json",
    "application/graphql-response+json",
    "text/",
    "application/javascript",
)
# Streams: their headers go out at once, and their events as they come.
STREAMED = ("text/event-stream", "multipart/")
GZIP_LEVEL = 6  # zlib's default: most of the gain, a fraction of level 9's time
BROTLI_QUALITY = 5  # for answers made per request (11 is for files compressed once)


def _brotli() -> Callable[[bytes], bytes] | None:
    try:
        module = importlib.import_module("brotli")
    except ImportError:
        return None
    compress: Callable[..., bytes] = module.compress
    return lambda body: compress(body, quality=BROTLI_QUALITY)


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


CODINGS: dict[str, Callable[[bytes], bytes]] = {"gzip": _gzip}
if (brotli := _brotli()) is not None:
    CODINGS = {"br": brotli, **CODINGS}  # preferred when the client accepts both


def chosen_coding(accept_encoding: str | None) -> str | None:
    """The best coding this server has that the client accepts (``q`` > 0), or ``None``."""
    if not accept_encoding:
        return None
    accepted = dict(weighted(accept_encoding))
    for coding in CODINGS:  # in order of preference
        if accepted.get(coding, accepted.get("*", 0.0)) > 0:
            return coding
    return None


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, min_bytes: int) -> None:
        self.app = app
        self.min_bytes = min_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = chosen_coding(Headers(scope=scope).get("accept-encoding"))
        start: Message | None = None

        async def compressing_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                media_type = Headers(raw=message["headers"]).get("content-type", "")
                if media_type.startswith(TEXTUAL) and not media_type.startswith(STREAMED):
                    start = message  # held until the body shows whether it comes whole
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            held, start = start, None
            headers = MutableHeaders(scope=held)
            body: bytes = message.get("body", b"")
            if "content-encoding" not in headers:
                headers.add_vary_header("Accept-Encoding")
                whole = not message.get("more_body", False)
                if coding is not None and whole and len(body) >= self.min_bytes:
                    body = CODINGS[coding](body)
                    headers["Content-Encoding"] = coding
                    headers["Content-Length"] = str(len(body))
                    message = {**message, "body": body}
            await send(held)
            await send(message)

        await self.app(scope, receive, compressing_send)
