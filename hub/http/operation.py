"""A GraphQL request read from HTTP: ``GET`` parameters or a JSON ``POST`` body.

``read_operation`` checks the request's shape and refuses, with an :class:`HttpError`, what
cannot be a GraphQL request (an unsupported content type, malformed JSON, a ``query`` that is not
a string, ``variables`` that are not an object, bytes that are not UTF-8), a body over the
size limit — counted while it arrives, so an oversized body is never held in memory — and a
body that takes longer than ``body_seconds`` to arrive (408; the connection is closed).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from hub.http.responses import HttpError

JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True, slots=True)
class Operation:
    """What the client asked for; ``method`` decides which operation types are allowed."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    method: str
    document_id: str | None = None  # a persisted document's id (``documentId``, ``doc_id``)


async def read_operation(
    request: Request, *, max_body_bytes: int, body_seconds: float
) -> Operation:
    if request.method == "GET":
        params = request.query_params
        fields: dict[str, Any] = {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": _json_parameter(params.get("variables"), "variables"),
            "extensions": _json_parameter(params.get("extensions"), "extensions"),
            **{name: params[name] for name in ("documentId", "doc_id") if name in params},
        }
    else:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in JSON_TYPES:
            raise HttpError(
                415,
                "Send the request as JSON (`Content-Type: application/json`)",
                code="UNSUPPORTED_MEDIA_TYPE",
            )
        try:
            async with asyncio.timeout(body_seconds):
                body = await read_body(request, max_body_bytes)
        except TimeoutError as error:
            raise HttpError(
                408,
                f"The request body did not arrive within {body_seconds:g} s",
                code="REQUEST_TIMEOUT",
                headers={"Connection": "close"},
            ) from error
        parsed = _json(body, "Unable to parse request body as JSON")
        if not isinstance(parsed, dict):
            raise HttpError(400, "The request body must be a JSON object")
        fields = parsed
    return _operation(fields, request.method)


def _json_parameter(value: str | None, name: str) -> Any:
    if not value:
        return None
    return _json(value, f"The `{name}` parameter is not valid JSON")


def _json(text: bytes | str, malformed: str) -> Any:
    """Parsed JSON. Bytes that are not UTF-8 are refused as such; an escaped lone surrogate
    (``"\\ud800"``: valid JSON, not valid text) is let through for the input check to name
    its field (:mod:`hub.schema.inputs`)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # the slower parser tells why, and takes escaped surrogates
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise HttpError(
                400,
                f"The request body is not valid UTF-8 (byte {error.start})",
                code="INVALID_INPUT",
            ) from error
    try:
        return json.loads(text)
    except ValueError as error:
        raise HttpError(400, malformed) from error


def _operation(fields: dict[str, Any], method: str) -> Operation:
    query, variables = fields.get("query"), fields.get("variables")
    operation_name, extensions = fields.get("operationName"), fields.get("extensions")
    if not isinstance(query, str | None):
        raise HttpError(400, "`query` must be a string")
    if not isinstance(variables, dict | None):
        raise HttpError(400, "`variables` must be an object")
    if not isinstance(operation_name, str | None):
        raise HttpError(400, "`operationName` must be a string")
    if not isinstance(extensions, dict | None):
        raise HttpError(400, "`extensions` must be an object")
    document_id = fields.get("documentId", fields.get("doc_id"))
    if not isinstance(document_id, str | None):
        raise HttpError(400, "`documentId` must be a string")
    return Operation(query, variables, operation_name, extensions, method, document_id)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or a 413 as soon as it is known to be larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HttpError:
    return HttpError(
        413, f"The request body is larger than {limit} bytes", code="REQUEST_TOO_LARGE"
    )
