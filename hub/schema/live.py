"""The GraphQL side of live delivery (implements :class:`hub.realtime.gateway.Gateway`).

``authenticate`` turns a connection's credential into a viewer (the same function as for
HTTP). ``prepare`` authenticates the connection's credential again (a login may have ended
since), checks the operation's limits and cost (:mod:`hub.schema.limits`), parses and validates
it (cached per document text, process-wide), runs queries and
mutations through the schema as that viewer, and for a subscription runs the root field's
resolver (string inputs checked as everywhere, argument coercion, filter validation,
entitlement and cursor checks) to obtain the stream request — after the transport's resume
cursor when that is later than ``after`` (see :mod:`hub.realtime.gateway`); filter values and
cursors are checked from memory where it can (see :mod:`hub.resolvers.subscription`), and an
anonymous subscription with the document and variables (``after`` aside) of one started
lately reuses that start, checking only its cursor, so a burst of reconnects runs no
resolver. Subscribers whose documents differ only in the root field's arguments (and in
variables used only there) share one :class:`Selection`: ``render`` executes each selection
once per change, in one context per audience (see :class:`LiveField`) so the DataLoaders
batch across selections, and serializes the result once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any, Literal

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    create_source_event_stream,
    execute,
    get_operation_ast,
    print_ast,
)
from graphql.language import Visitor, visit
from strawberry.types.execution import ExecutionResult as StrawberryResult

from hub.auth import ANONYMOUS, Viewer
from hub.context import Context
from hub.db import outage
from hub.db.repositories.filter_values import RememberedValues
from hub.db.session import SessionFactory
from hub.errors import HubError, Unauthenticated
from hub.persisted import DocumentRefused, PersistedDocuments
from hub.realtime.changes import Change
from hub.realtime.cursor import Position
from hub.realtime.frames import Rendered
from hub.realtime.gateway import (
    LiveStart,
    Rejected,
    RenderFailed,
    Resume,
    SingleResult,
    StreamRequest,
)
from hub.realtime.history import History
from hub.resolvers.auth import authenticate
from hub.resolvers.subscription import resume_position
from hub.schema.extensions import error_payload, is_unexpected
from hub.schema.inputs import input_errors
from hub.schema.limits import Checked, OperationLimits, Refused, validated, without_suggestions
from hub.settings import Environment, Settings

logger = logging.getLogger("hub.graphql")

DOCUMENT_CACHE_SIZE = 1024
START_CACHE_SIZE = 4096
JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
SORTED_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def public(_: Change) -> frozenset[int]:
    return frozenset()


@dataclass(frozen=True, slots=True)
class LiveField:
    """How one subscription field is rendered for a change: its root value, and the
    agencies whose submissions the payload may show (``audience``; empty: only public
    information). A stream whose subscribers are all entitled reviewers of the change's
    agency renders as such a reviewer, never as one particular subscriber."""

    root: Callable[[Change], object]
    audience: Callable[[Change], frozenset[int]] = public


class Selection:
    """One distinct subscription selection; equal ones are the same object (interned)."""

    __slots__ = ("__weakref__", "document", "field", "key", "operation_name", "variables")

    def __init__(
        self,
        key: Hashable,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any],
        field: str,
    ) -> None:
        self.key = key
        self.document = document
        self.operation_name = operation_name
        self.variables = variables
        self.field = field


class LiveGateway:
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        settings: Settings,
        sessions: SessionFactory,
        fields: Mapping[str, LiveField],
        history: History | None = None,
        documents: PersistedDocuments | None = None,
    ) -> None:
        self.schema = schema
        # documents named by id (persisted queries); the default reads them from ``sessions``
        self.documents = documents or PersistedDocuments(settings, sessions)
        self.settings = settings
        self.sessions = sessions
        self.fields = fields
        self.history = history
        self.filter_values = RememberedValues(settings.live_lookup_ttl)
        self._selections: weakref.WeakValueDictionary[Hashable, Selection] = (
            weakref.WeakValueDictionary()
        )
        self.limits = OperationLimits(schema._schema, settings)
        self._shape = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(selection_shape)
        self._after_variable = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(after_variable)
        # Public subscriptions started lately, by document and variables but ``after``
        # (remembered as long as the filter values they name, see HUB_LIVE_LOOKUP_TTL).
        self._starts: dict[tuple[str, str | None, str], tuple[LiveStart, float]] = {}

    def context(
        self,
        viewer: Viewer = ANONYMOUS,
        authorization: str | None = None,
        client_address: str | None = None,
    ) -> Context:
        return Context(
            settings=self.settings,
            sessions=self.sessions,
            viewer=viewer,
            authorization=authorization,
            client_address=client_address,
            filter_values=self.filter_values,
            history=self.history,
        )

    # -- authenticate ------------------------------------------------------------------------

    async def authenticate(self, authorization: str | None) -> Rejected | None:
        viewer = await self._viewer(authorization)
        return viewer if isinstance(viewer, Rejected) else None

    async def _viewer(self, authorization: str | None) -> Viewer | Rejected:
        try:
            return await authenticate(self.sessions, self.settings, authorization)
        except Unauthenticated as error:
            return Rejected([{"message": error.message, "extensions": {"code": error.code}}])
        except Exception as error:
            if not outage.is_unavailable(error):
                raise
            return Rejected([unavailable()])

    # -- prepare -----------------------------------------------------------------------------

    async def prepare(
        self,
        payload: Mapping[str, Any],
        authorization: str | None,
        client_address: str | None = None,
        *,
        resume: Resume | None = None,
        mutations: bool = True,
    ) -> Rejected | SingleResult | LiveStart:
        viewer = await self._viewer(authorization) if authorization is not None else ANONYMOUS
        if isinstance(viewer, Rejected):
            return viewer
        try:
            query = await self.documents.from_payload(payload, viewer)
        except DocumentRefused as refused:
            return Rejected([{"message": refused.message, "extensions": {"code": refused.code}}])
        variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict):
            return Rejected([bad_request("`query` must be a string and `variables` an object")])
        if operation_name is not None and not isinstance(operation_name, str):
            return Rejected([bad_request("`operationName` must be a string")])
        viewer = await self._viewer(authorization) if authorization is not None else ANONYMOUS
        if isinstance(viewer, Rejected):
            return viewer
        checked = self.limits.check(query, variables, operation_name, viewer)
        if isinstance(checked, Refused):
            return Rejected(checked.payloads)
        parsed, errors = validated(self.schema._schema, query, self.settings.max_query_tokens)
        if errors or parsed is None:
            if self.settings.environment is Environment.PRODUCTION:
                without_suggestions(errors)
            return Rejected([dict(error.formatted) for error in errors])
        operation = get_operation_ast(parsed, operation_name)
        if operation is None:
            return Rejected([bad_request("Unknown operation, or several without `operationName`")])
        if operation.operation is OperationType.MUTATION and not mutations:
            return Rejected([not_allowed("Mutations are not allowed over GET: use POST")])
        context = self.context(viewer, authorization, client_address)
        if resume is not None:
            context.resume_after = resume(operation.name.value if operation.name else None)
        if operation.operation is OperationType.SUBSCRIPTION and not isinstance(
            operation.selection_set.selections[0], FieldNode
        ):
            return Rejected([bad_request("Select the subscription field itself, not a fragment")])
        if operation.operation is not OperationType.SUBSCRIPTION:
            result = await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
            )
            answer = result_payload(result, mask=False)
            if isinstance(checked, Checked):
                answer["extensions"] = {"cost": checked.extension}
            return SingleResult(JSON.encode(answer))
        problems = input_errors(self.schema._schema, parsed, operation_name, variables)
        if problems:
            return Rejected([dict(error.formatted) for error in problems])
        public = authorization is None
        if public and (known := await self._known_start(query, operation, variables, context)):
            return known
        executor = Executor.build(
            self.schema._schema,
            parsed,
            context_value=context,
            raw_variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(executor, list):
            return Rejected([error_payload(error) for error in executor])
        stream = create_source_event_stream(executor)
        if isawaitable(stream):
            stream = await stream
        if isinstance(stream, ExecutionResult):
            return Rejected([error_payload(error) for error in stream.errors or ()])
        if not isinstance(stream, StreamRequest):
            logger.error("subscription resolver returned %r", type(stream))
            return Rejected([{"message": "Internal server error"}])
        started = LiveStart(
            stream, self._selection(query, parsed, operation, operation_name, variables)
        )
        if public and stream.authorize is None:
            self._remember_start(query, operation, variables, started)
        return started

    async def _known_start(
        self,
        query: str,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        context: Context,
    ) -> LiveStart | None:
        """The start of a public subscription asked for before with the same document and
        variables but for ``after``: its filter and selection again, and only the cursor
        checked (from the recent history, usually). ``None`` when not known (or anything
        is amiss: the full path then answers, errors included)."""
        key = self._start_key(query, operation, variables)
        if key is None or (known := self._starts.get(key)) is None:
            return None
        started, expires = known
        if expires < time.monotonic():
            del self._starts[key]
            return None
        after = variables.get(self._after_variable(query, operation) or "")
        if after is not None and not isinstance(after, str):
            return None
        try:
            position = await resume_position(context, after)
        except HubError:
            return None
        request = started.request
        return LiveStart(StreamRequest(request.filter, position), started.selection)

    def _remember_start(
        self,
        query: str,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        started: LiveStart,
    ) -> None:
        key = self._start_key(query, operation, variables)
        if key is None or self.settings.live_lookup_ttl <= 0:
            return
        self._starts[key] = (started, time.monotonic() + self.settings.live_lookup_ttl)
        while len(self._starts) > START_CACHE_SIZE:
            del self._starts[next(iter(self._starts))]

    def _start_key(
        self, query: str, operation: OperationDefinitionNode, variables: dict[str, Any]
    ) -> tuple[str, str | None, str] | None:
        """The document, the operation and every variable but ``after``'s; ``None`` when
        ``after`` is written in the document itself."""
        after = self._after_variable(query, operation)
        if after is False:
            return None
        rest = {name: value for name, value in variables.items() if name != after}
        name = operation.name.value if operation.name else None
        return query, name, SORTED_JSON.encode(rest)

    def _selection(
        self,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        operation_name: str | None,
        variables: dict[str, Any],
    ) -> Selection:
        root = operation.selection_set.selections[0]
        assert isinstance(root, FieldNode)
        shape, used = self._shape(query, operation_name, document, root)
        relevant = {name: variables.get(name) for name in used}
        key = (shape, JSON.encode(sorted(relevant.items())))
        selection = self._selections.get(key)
        if selection is None:
            selection = Selection(key, document, operation_name, variables, root.name.value)
            self._selections[key] = selection
        return selection

    # -- render ------------------------------------------------------------------------------

    async def render(
        self, jobs: Sequence[tuple[Hashable, Change]], *, tolerate_errors: bool
    ) -> dict[tuple[Hashable, Position], Rendered]:
        contexts: dict[frozenset[int], Context] = {}
        executions = []
        for selection, change in jobs:
            assert isinstance(selection, Selection)
            audience = self.fields[selection.field].audience(change)
            context = contexts.get(audience)
            if context is None:
                viewer = Viewer(review_agency_ids=audience) if audience else ANONYMOUS
                context = contexts[audience] = self.context(viewer)
            executions.append(self._execute(selection, change, context))
        results = await asyncio.gather(*executions)
        rendered: dict[tuple[Hashable, Position], Rendered] = {}
        for (selection, change), result in zip(jobs, results, strict=True):
            unexpected = [error for error in result.errors or () if is_unexpected(error)]
            if unexpected and not tolerate_errors:
                raise RenderFailed(str(unexpected[0].original_error or unexpected[0]))
            for error in unexpected:
                logger.error("live payload failed", exc_info=error.original_error)
            payload = JSON.encode(result_payload(result, mask=True)).encode()
            rendered[selection, change.position] = Rendered(payload, change.position)
        return rendered

    async def _execute(
        self, selection: Selection, change: Change, context: Context
    ) -> ExecutionResult:
        result = execute(
            self.schema._schema,
            selection.document,
            root_value=self.fields[selection.field].root(change),
            context_value=context,
            variable_values=selection.variables,
            operation_name=selection.operation_name,
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result


def result_payload(result: ExecutionResult | StrawberryResult, *, mask: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [
            error_payload(error) if mask else error.formatted for error in result.errors
        ]
    return payload


def unavailable() -> dict[str, Any]:
    extensions = {"code": outage.ERROR_CODE, "retryAfter": outage.RETRY_AFTER_SECONDS}
    return {"message": outage.MESSAGE, "extensions": extensions}


def bad_request(message: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": "BAD_REQUEST"}}


def not_allowed(message: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": "METHOD_NOT_ALLOWED"}}


def selection_shape(
    query: str,
    operation_name: str | None,
    document: DocumentNode,
    root: FieldNode,
) -> tuple[str, tuple[str, ...]]:
    """The document without the root field's arguments, and the variables used outside
    those arguments: together they decide the rendered payload."""
    del query, operation_name  # cache keys only

    class StripRootArguments(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> Any:
            if node is root:
                return FieldNode(
                    alias=node.alias,
                    name=node.name,
                    arguments=(),
                    directives=node.directives,
                    selection_set=node.selection_set,
                )
            return None

    shape = print_ast(visit(document, StripRootArguments()))
    return shape, tuple(sorted(variables_used(document, skip=root.arguments or ())))


def variables_used(document: DocumentNode, *, skip: Sequence[Any]) -> set[str]:
    """Variables referenced in ``document`` outside the ``skip`` arguments."""
    names: set[str] = set()
    skipped = {id(item) for item in skip}

    class Collector(Visitor):
        def enter_argument(self, argument: Any, *_: Any) -> Any:
            return False if id(argument) in skipped else None

        def enter_variable_definition(self, *_: Any) -> Any:
            return False

        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            names.add(variable.name.value)

    visit(document, Collector())
    return names


def after_variable(query: str, operation: OperationDefinitionNode) -> str | Literal[False] | None:
    """The variable the root field's ``after`` argument takes (``None``: no ``after``;
    ``False``: a value written in the document)."""
    del query  # cache key only
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    for argument in root.arguments or ():
        if argument.name.value == "after":
            value = argument.value
            return value.name.value if isinstance(value, VariableNode) else False
    return None
