"""The ``/graphql`` HTTP endpoint: read → authenticate → charge the quota → find a persisted
document → execute → answer, in one visible place.

``GraphQLEndpoint`` is a plain ASGI app. Each step that can refuse a request does so with an
:class:`HttpError` and a GraphQL-shaped body: methods other than GET and POST (405), a request
that is not a GraphQL request (400/415), a body over ``HUB_MAX_BODY_BYTES`` (413) or slower than
``HUB_HTTP_BODY_TIMEOUT`` (408), bad credentials (401), a client over its quota (429, with
``Retry-After``; :mod:`hub.quota`), a mutation over GET (405), a subscription over HTTP (400:
they are served over WebSocket). Before it runs, the operation passes the checks of
:mod:`hub.schema.limits` (size, depth, aliases, directives, introspection, cost against the
viewer's budget: refused with a GraphQL error); its cost is what the quota is charged, and
``extensions.cost`` of the answer. A query running longer than ``HUB_QUERY_TIMEOUT`` is
stopped (``TIMEOUT``). Execution runs through the schema; when the client
disconnects first, the work is cancelled (and with it any statement in flight), since nobody
would read the answer. An unreachable database, at any step and for any caller, is a 503
``SERVICE_UNAVAILABLE`` with ``Retry-After`` (:mod:`hub.db.outage`). Answers to a limited client
carry the ``RateLimit-Policy`` / ``RateLimit`` headers; a refusal inside the operation that asks
the client to wait (a throttled login) sets ``Retry-After``.

A document named by hash or id is looked up by :mod:`hub.persisted` (refusals as it says).
Anonymous queries are answered from the process's response cache when it holds the answer
(:mod:`hub.http.response_cache`; ``X-Cache: hit`` or ``miss``); the quota is charged either
way. The answer's media type follows ``Accept`` (:mod:`hub.http.negotiation`), its HTTP caching
headers and conditional 304 come from :mod:`hub.http.caching`.

Each request is reported to the metrics (:meth:`hub.metrics.Metrics.observe_request`): its
operation name, its :class:`Outcome`, its duration and the SQL statements it sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable
from dataclasses import replace
from enum import StrEnum
from typing import Any, TypeVar

import strawberry
from graphql import OperationType as CoreOperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from hub import addresses, tracing
from hub.auth import ANONYMOUS
from hub.context import Context
from hub.db import outage
from hub.db.session import SessionFactory
from hub.errors import Unauthenticated
from hub.http import graphiql, negotiation, ratelimit
from hub.http.caching import NO_STORE, CachePolicy
from hub.http.operation import Operation, read_operation
from hub.http.response_cache import ResponseCache
from hub.http.responses import HttpError, encode, error_response, retry_later
from hub.metrics import Metrics, counting_statements
from hub.persisted import DocumentRefused, PersistedDocuments
from hub.quota import Quotas
from hub.resolvers.auth import authenticate
from hub.schema.extensions import TIMEOUT_CODE, TIMEOUT_MESSAGE
from hub.schema.limits import Checked, OperationLimits, Refused
from hub.settings import Settings

logger = logging.getLogger("hub.http")
T = TypeVar("T")

ALLOWED = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


class Outcome(StrEnum):
    """How a request ended, as counted in ``hub_graphql_requests_total``."""

    OK = "ok"  # data, no errors
    ERRORS = "errors"  # executed, with errors (a field failed, a domain error)
    INVALID = "invalid"  # the document did not parse or validate, or its variables were bad
    REFUSED = "refused"  # refused before GraphQL ran (method, shape, size, credentials)
    ABANDONED = "abandoned"  # the client left before the answer was ready
    TIMED_OUT = "timeout"  # a query ran longer than HUB_QUERY_TIMEOUT and was stopped
    UNAVAILABLE = "unavailable"  # the database could not be used (503)
    FAILED = "failed"  # an unexpected exception escaped


# GET parameters that carry or name a document (the IDE is for requests with none of them)
DOCUMENT_PARAMETERS = ("query", "extensions", "documentId", "doc_id")

# The name of a document's first operation, for requests that send no ``operationName``.
OPERATION_NAME = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


class GraphQLEndpoint:
    """``/graphql`` over HTTP. ``sessions`` is set when the application starts (lifespan)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        metrics: Metrics | None = None,
        documents: PersistedDocuments | None = None,
    ) -> None:
        self.schema = schema
        self.documents = documents or PersistedDocuments(settings)
        self.settings = settings
        self.metrics = metrics
        self.sessions: SessionFactory | None = None
        self.quotas = Quotas(settings)  # shared with the other processes once started
        self.limits = OperationLimits(schema._schema, settings)
        self.cache = ResponseCache(settings)  # follows the outbox once the live service runs
        self.ide = settings.graphiql_enabled
        self.caching = CachePolicy(
            max_age=settings.http_cache_max_age,
            stale_while_revalidate=settings.http_cache_stale_while_revalidate,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        started = time.perf_counter()
        report = Report()
        try:
            with counting_statements() as statements:
                response = await self.handle(request, receive, report)
        except BaseException:
            report.outcome = Outcome.FAILED
            raise
        finally:
            tracing.annotate(
                **{"graphql.operation.name": report.operation, "hub.outcome": report.outcome}
            )
            if self.metrics is not None and report.outcome is not None:
                self.metrics.observe_request(
                    operation=report.operation,
                    outcome=report.outcome,
                    seconds=time.perf_counter() - started,
                    statements=statements[0],
                )
        if response is not None:
            await response(scope, receive, send)

    async def handle(
        self, request: Request, receive: Receive, report: Report | None = None
    ) -> Response | None:
        """The answer, or ``None`` when the client went away before it was ready. ``report``
        gets the operation's name and outcome (the IDE page is no GraphQL request)."""
        report = report or Report()
        report.outcome = Outcome.REFUSED
        if request.method not in ALLOWED:
            return HttpError(
                405,
                "GraphQL is served over GET and POST",
                code="METHOD_NOT_ALLOWED",
                headers={"Allow": "GET, POST"},
            ).response()
        if self.ide and wants_ide(request):
            report.outcome = None
            return graphiql.page()
        try:
            operation = await read_operation(
                request,
                max_body_bytes=self.settings.max_body_bytes,
                body_seconds=self.settings.http_body_timeout,
            )
            report.operation = operation_name(operation)
            # The body is read: from here on, ``receive`` only says whether the client left.
            response = await until_disconnect(receive, self.answer(request, operation, report))
        except HttpError as error:
            unavailable = error.code == outage.ERROR_CODE
            report.outcome = Outcome.UNAVAILABLE if unavailable else Outcome.REFUSED
            return error.response()
        except Exception as error:
            if not outage.is_unavailable(error):
                raise
            logger.warning("database unavailable: %s", error)
            report.outcome = Outcome.UNAVAILABLE
            return database_unavailable().response()
        if response is None:
            report.outcome = Outcome.ABANDONED
        return response

    async def answer(
        self, request: Request, operation: Operation, report: Report | None = None
    ) -> Response:
        context = await self.context(request)
        media = negotiation.media_type(request.headers.get("accept"))
        named = operation.query is None  # by hash or id: the document is looked up first
        if named:
            try:
                operation = await self.persisted(operation, context)
            except HttpError:
                # A flood of unknown hashes counts like any other requests.
                self.charge_quota(context, 1)
                raise
        checked = self.limits.check(
            operation.query, operation.variables, operation.operation_name, context.viewer
        )
        if isinstance(checked, Refused):
            if report is not None:
                report.outcome = Outcome.INVALID
            status, refusal = negotiation.answer(
                {"errors": with_request_id(checked, context)}, executed=False, media=media
            )
            return Response(encode(refusal), status_code=status, media_type=media)
        self.charge_quota(context, checked.cost if checked else 1)
        if not named:
            # A document sent with its hash is registered only once it passed the limits.
            operation = await self.persisted(operation, context)
        key = self.cache.key_for(context, operation)
        if (body := self.cache.get(key)) is not None:
            if report is not None:
                report.outcome = Outcome.OK
            return self.respond(request, context, body, media=media, ok=True, cached=True)
        try:
            async with asyncio.timeout(self.timeout_for(checked)):
                with self.cache.filling(key) as fill:
                    result = await self.execute(context, operation)
        except TimeoutError:
            if report is not None:
                report.outcome = Outcome.TIMED_OUT
            return error_response(200, TIMEOUT_MESSAGE, TIMEOUT_CODE)
        if any(
            (error.extensions or {}).get("code") == outage.ERROR_CODE
            for error in result.errors or ()
        ):
            raise database_unavailable()
        outcome = outcome_of(result)
        if report is not None:
            report.outcome = outcome
        answer: dict[str, Any] = dict(process_result(result))
        if checked is not None:
            answer["extensions"] = {**(answer.get("extensions") or {}), "cost": checked.extension}
        status, shaped = negotiation.answer(
            answer, executed=outcome is not Outcome.INVALID, media=media
        )
        body = encode(shaped)
        if outcome is Outcome.OK and operation.query is not None:
            self.cache.keep(
                fill, body, query=operation.query, operation_name=operation.operation_name
            )
        return self.respond(
            request,
            context,
            body,
            media=media,
            ok=outcome is Outcome.OK,
            cached=False if key is not None else None,
            status=status,
        )

    def respond(
        self,
        request: Request,
        context: Context,
        body: bytes,
        *,
        media: str,
        ok: bool,
        cached: bool | None,
        status: int = 200,
    ) -> Response:
        """The answer in ``media``, with the client's rate-limit headers, HTTP caching headers
        (shareable when ``ok`` and anonymous) and, for a cacheable request, ``X-Cache: hit`` or
        ``miss``."""
        headers = ratelimit.headers(context.quota) if context.quota else {}
        if context.retry_after is not None:
            headers["Retry-After"] = str(context.retry_after)
        if cached is not None:
            headers["X-Cache"] = "hit" if cached else "miss"
        return self.caching.response(
            request,
            body,
            status=status,
            media_type=media,
            headers=headers,
            shareable=ok and context.viewer is ANONYMOUS,
        )

    async def persisted(self, operation: Operation, context: Context) -> Operation:
        """The operation with the document it names by id (:mod:`hub.persisted`), or refused."""
        try:
            query = await self.documents.document(
                query=operation.query,
                extensions=operation.extensions,
                document_id=operation.document_id,
                viewer=context.viewer,
            )
        except DocumentRefused as refused:
            no_store = {"Cache-Control": NO_STORE}
            raise HttpError(
                refused.status, refused.message, code=refused.code, headers=no_store
            ) from refused
        return operation if query == operation.query else replace(operation, query=query)

    def timeout_for(self, checked: Checked | None) -> float | None:
        """Queries stop after ``HUB_QUERY_TIMEOUT``; a mutation, once accepted, runs to its
        end (its statements are bounded by ``HUB_DB_STATEMENT_TIMEOUT``)."""
        if checked is None or not checked.is_query or self.settings.query_timeout <= 0:
            return None
        return self.settings.query_timeout

    def charge_quota(self, context: Context, cost: int) -> None:
        """Count the request (``cost``: its operation's) against its client's quota, or
        refuse it (429)."""
        rule = self.quotas.rule_for(context.viewer, context.client_address)
        if rule is None:
            return
        decision = self.quotas.admit(rule, cost)
        if not decision.allowed:
            raise ratelimit.refusal(decision)
        context.quota = decision

    async def context(self, request: Request) -> Context:
        """The request's context; bad, expired or revoked credentials are a 401."""
        if self.sessions is None:
            raise RuntimeError("the application has not started (lifespan not run)")
        authorization = request.headers.get("authorization")
        address = addresses.client_address(request.scope)
        viewer = ANONYMOUS
        if authorization is not None:
            try:
                viewer = await authenticate(self.sessions, self.settings, authorization)
            except Unauthenticated as error:
                # Bad credentials count against the address, like anonymous requests: a
                # flood of made-up keys is throttled too.
                rule = self.quotas.rule_for(ANONYMOUS, address)
                if rule is not None and not (decision := self.quotas.admit(rule, 1)).allowed:
                    raise ratelimit.refusal(decision) from error
                raise HttpError(
                    401,
                    error.message,
                    code=error.code,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                ) from error
        return Context(
            settings=self.settings,
            sessions=self.sessions,
            request=request,
            viewer=viewer,
            authorization=authorization,
            client_address=address,
        )

    async def execute(self, context: Context, operation: Operation) -> ExecutionResult:
        try:
            return await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=ALLOWED[operation.method],
                operation_extensions=operation.extensions,
            )
        except MissingQueryError as error:
            raise HttpError(400, "No GraphQL query found in the request") from error
        except CannotGetOperationTypeError as error:
            raise HttpError(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            raise refused_operation(error.operation_type, operation.method) from error


def with_request_id(refused: Refused, context: Context) -> list[dict[str, Any]]:
    errors = refused.payloads
    for error in errors:
        error["extensions"] = {**error.get("extensions", {}), "requestId": context.request_id}
    return errors


def database_unavailable() -> HttpError:
    return retry_later(503, outage.MESSAGE, outage.ERROR_CODE, outage.RETRY_AFTER_SECONDS)


class Report:
    """What the metrics learn about one request while it is handled."""

    __slots__ = ("operation", "outcome")

    def __init__(self) -> None:
        self.operation: str | None = None
        self.outcome: Outcome | None = None


def operation_name(operation: Operation) -> str | None:
    if operation.operation_name:
        return operation.operation_name
    if operation.query and (found := OPERATION_NAME.search(operation.query)):
        return found.group(1)
    return None


def outcome_of(result: ExecutionResult) -> Outcome:
    if not result.errors:
        return Outcome.OK
    # errors of parsing, validation and variables have no path: nothing was executed
    if result.data is None and all(error.path is None for error in result.errors):
        return Outcome.INVALID
    return Outcome.ERRORS


def refused_operation(operation_type: OperationType | Any, method: str) -> HttpError:
    if operation_type in (OperationType.SUBSCRIPTION, CoreOperationType.SUBSCRIPTION):
        return HttpError(
            400,
            "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)",
            code="SUBSCRIPTION_OVER_HTTP",
        )
    return HttpError(
        405,
        f"Mutations are not allowed over {method}: use POST",
        code="METHOD_NOT_ALLOWED",
        headers={"Allow": "POST"},
    )


def wants_ide(request: Request) -> bool:
    """A browser opening ``/graphql`` (GET, no document, HTML accepted) gets the IDE."""
    return (
        request.method == "GET"
        and not any(name in request.query_params for name in DOCUMENT_PARAMETERS)
        and "text/html" in request.headers.get("accept", "")
    )


async def until_disconnect(receive: Receive, work: Awaitable[T]) -> T | None:
    """``work``'s result, or ``None`` when the client disconnected first (``work`` is then
    cancelled: a statement in flight is cancelled with it)."""
    worker = asyncio.current_task()
    assert worker is not None
    gone = False

    async def watch() -> None:
        nonlocal gone
        while (await receive())["type"] != "http.disconnect":
            pass  # the rest of the body, already read by the time this matters
        gone = True
        worker.cancel()

    watcher = asyncio.create_task(watch())
    try:
        return await work
    except asyncio.CancelledError:
        if not gone:
            raise
        worker.uncancel()
        logger.info("client disconnected: request abandoned")
        return None
    finally:
        watcher.cancel()
