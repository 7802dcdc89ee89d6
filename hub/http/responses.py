"""GraphQL-shaped HTTP answers.

Every answer of ``/graphql`` is JSON with the GraphQL response shape, also when the request failed
before GraphQL ran (a body too large, malformed JSON, bad credentials): ``{"errors": [{"message",
"extensions": {"code", "requestId"}}]}``, so clients handle one format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from hub.request_id import current_request_id

JSON = "application/json"


class HttpError(Exception):
    """A request refused before execution: its status, message, error code and headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "BAD_REQUEST",
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def response(self) -> Response:
        return error_response(
            self.status, self.message, self.code, self.headers, extensions=self.extensions
        )


def error_response(
    status: int,
    message: str,
    code: str,
    headers: Mapping[str, str] | None = None,
    *,
    extensions: Mapping[str, Any] | None = None,
) -> Response:
    fields: dict[str, Any] = {"code": code, **(extensions or {})}
    if (request_id := current_request_id()) is not None:
        fields["requestId"] = request_id
    body = {"errors": [{"message": message, "extensions": fields}]}
    return json_response(body, status, headers)


def retry_later(status: int, message: str, code: str, seconds: int) -> HttpError:
    """A refusal that tells the client when to try again (``Retry-After`` and
    ``extensions.retryAfter``, in seconds)."""
    return HttpError(
        status,
        message,
        code=code,
        headers={"Retry-After": str(seconds)},
        extensions={"retryAfter": seconds},
    )


def json_response(
    body: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(encode(body), status_code=status, media_type=JSON, headers=headers)


def encode(body: Mapping[str, Any]) -> bytes:
    """``body`` as JSON. A message may echo what the client sent, even a lone surrogate
    (which JSON can carry, escaped, but UTF-8 cannot): then everything beyond ASCII is
    written as escapes."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, ensure_ascii=True).encode()
