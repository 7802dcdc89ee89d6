"""Schema extensions: domain error codes (and ``SERVICE_UNAVAILABLE`` when the database is away),
masking of unexpected errors, the request id in every error, GraphQL's words for values in
messages, parse/validate caches, the check of string inputs (:mod:`hub.schema.inputs`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension, ValidationCache

from hub.db import outage
from hub.errors import HubError
from hub.schema.inputs import InputCheck

logger = logging.getLogger("hub.graphql")
MASKED_MESSAGE = "Internal server error"


class DomainErrorCodes(SchemaExtension):
    """Put the code of expected (domain) errors into ``extensions.code``."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        for error in result.errors:
            add_domain_code(error)


class RequestIdInErrors(SchemaExtension):
    """``extensions.requestId`` on every error of a result (parse, validation, execution,
    masked), so a client's bug report names the log lines of its call."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        if request_id is None:
            return
        for error in result.errors:
            error.extensions = {**(error.extensions or {}), "requestId": request_id}


class GraphQLWording(SchemaExtension):
    """Values in graphql-core's coercion messages are printed as Python literals (``found:
    {'title': None}``, ``not to be None``); clients know them as GraphQL's ``null``, ``true``
    and ``false``."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or ():
            graphql_wording(error)


PYTHON_LITERALS = re.compile(r"\b(?:None|True|False)\b")
GRAPHQL_LITERALS = {"None": "null", "True": "true", "False": "false"}


def graphql_wording(error: GraphQLError) -> None:
    if not isinstance(error.original_error, HubError):  # domain messages are worded already
        error.message = PYTHON_LITERALS.sub(
            lambda found: GRAPHQL_LITERALS[found.group()], error.message
        )


def add_domain_code(error: GraphQLError) -> None:
    original = error.original_error
    if isinstance(original, HubError):
        error.extensions = {**(error.extensions or {}), "code": original.code}
        if original.field:
            error.extensions["field"] = original.field
    elif original is not None and outage.is_unavailable(original):
        # Not a bug: said as it is (HTTP answers it with 503), never masked.
        error.message = outage.MESSAGE
        error.extensions = {
            **(error.extensions or {}),
            "code": outage.ERROR_CODE,
            "retryAfter": outage.RETRY_AFTER_SECONDS,
        }


def is_unexpected(error: GraphQLError) -> bool:
    """Unexpected exceptions are masked; validation and domain errors, and the database being
    unavailable, are shown as they are."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, HubError | GraphQLError)
        and not outage.is_unavailable(original)
    )


def error_payload(error: GraphQLError) -> dict[str, Any]:
    """An error as the client sees it outside the extension pipeline: domain errors with
    their code, unexpected ones masked (and logged)."""
    if is_unexpected(error):
        logger.error("unexpected error at %s", error.path, exc_info=error.original_error)
        masked = GraphQLError(MASKED_MESSAGE, nodes=error.nodes, path=error.path)
        return dict(masked.formatted)
    add_domain_code(error)
    graphql_wording(error)
    return dict(error.formatted)


def masked_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=is_unexpected, error_message=MASKED_MESSAGE)


CACHE_SIZE = 1024  # distinct documents kept parsed and validated (LRU, process-wide)


def default_extensions() -> list[Callable[[], SchemaExtension]]:
    """Factories: a fresh extension per operation; the caches themselves are process-wide."""
    return [
        RequestIdInErrors,  # first: it finishes last, after masking replaced errors
        GraphQLWording,
        DomainErrorCodes,
        masked_errors,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        InputCheck,  # after validation, before anything runs
    ]
