"""The checks an operation passes before it runs, for every transport (HTTP; WebSocket, SSE and
multipart HTTP through the live gateway).

:meth:`OperationLimits.check` takes a document's text, its variables and operation name and
the viewer, and answers :class:`Checked` (the parsed document and the operation's cost) or
:class:`Refused` (GraphQL errors; nothing ran). In order:

- the document's size in characters (``QUERY_TOO_LARGE``) and in tokens (``TOO_MANY_TOKENS``,
  the parser stops counting there);
- the operation's field depth (``QUERY_TOO_DEEP``), aliases (``TOO_MANY_ALIASES``) and
  directives (``TOO_MANY_DIRECTIVES``), fragments expanded where they are spread;
- introspection (``__schema``, ``__type``): in production only for platform admins and API keys
  with the ``INTROSPECT`` scope (``INTROSPECTION_DISABLED``);
- the cost: the nodes the operation can return, estimated from the schema with its variables
  resolved (see :func:`measure`), against the viewer's budget (``QUERY_TOO_COMPLEX``).

Parsed documents are kept in one process-wide LRU (:func:`parse_document`), bounded in entries
and in characters; the schema's parse step reads from it too (:class:`SharedParser`), so an
operation is parsed once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    parse,
    specified_rules,
    value_from_ast,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from hub.auth import Viewer
from hub.resolvers.pagination import DEFAULT_PAGE_SIZE
from hub.settings import Environment, Settings
from hub.vocabulary import ApiKeyScope

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
COST_ITEMS = "cost_items"  # field metadata: how many items a (non-connection) list holds at most
PARSED_DOCUMENTS = 1024  # entries of the parse cache
PARSED_CHARACTERS = 4_000_000  # and the characters of their texts, together
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True, slots=True)
class Checked:
    """An operation that may run: its document, what it costs and the budget it fits."""

    document: DocumentNode
    operation: OperationDefinitionNode
    cost: int
    budget: int

    @property
    def is_query(self) -> bool:
        return self.operation.operation is OperationType.QUERY

    @property
    def extension(self) -> dict[str, int]:
        """``extensions.cost`` of the response."""
        return {"requested": self.cost, "budget": self.budget}


@dataclass(frozen=True, slots=True)
class Refused:
    """An operation refused before it ran."""

    errors: list[GraphQLError]

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [dict(error.formatted) for error in self.errors]


def refusal(code: str, message: str, **extensions: Any) -> Refused:
    return Refused([GraphQLError(message, extensions={"code": code, **extensions})])


# -- parsing ---------------------------------------------------------------------------------


class _Parsed:
    __slots__ = ("document", "errors")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.errors: list[GraphQLError] | None = None  # validation's, once validated


class _ParseCache:
    """Parsed (and validated) documents by text and token limit, least recently used first
    out: at most ``entries`` documents and ``characters`` characters of text in all."""

    def __init__(self, entries: int, characters: int) -> None:
        self.entries = entries
        self.characters = characters
        self.size = 0
        self.documents: OrderedDict[tuple[str, int], _Parsed] = OrderedDict()
        self.lock = Lock()  # the schema's synchronous parse may run in a worker thread

    def entry(self, query: str, max_tokens: int) -> _Parsed:
        key = (query, max_tokens)
        with self.lock:
            found = self.documents.get(key)
            if found is not None:
                self.documents.move_to_end(key)
                return found
        found = _Parsed(parse(query, max_tokens=max_tokens))  # a GraphQLError escapes
        with self.lock:
            if key not in self.documents:
                self.documents[key] = found
                self.size += len(query)
            while self.documents and (
                len(self.documents) > self.entries or self.size > self.characters
            ):
                (evicted, _), gone = self.documents.popitem(last=False)
                self.size -= len(evicted)
                _unlink_tokens(gone.document)
        return found

    def clear(self) -> None:
        with self.lock:
            self.documents.clear()
            self.size = 0


def _unlink_tokens(document: DocumentNode) -> None:
    """Cut the links of a document's token list (each token points to the one before and
    after: a cycle). A document evicted from the cache is then freed as soon as nothing uses
    it, even when the collector no longer looks at it (:mod:`hub.realtime.heap` freezes
    long-lived objects). Locations keep their offsets, all that errors need."""
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        following = token.next
        token.prev = token.next = None
        token = following


PARSED = _ParseCache(PARSED_DOCUMENTS, PARSED_CHARACTERS)


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """The parsed document, from the process-wide cache."""
    return PARSED.entry(query, max_tokens).document


def validated(
    schema: GraphQLSchema,
    query: str,
    max_tokens: int,
    rules: tuple[type[ASTValidationRule], ...] = tuple(specified_rules),
) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """The parsed document and its validation errors, both from the process-wide cache."""
    try:
        entry = PARSED.entry(query, max_tokens)
    except GraphQLError as error:
        return None, [error]
    if entry.errors is None:
        entry.errors = validate_document(schema, entry.document, rules)
    # copies: a request adds its own id to its errors
    return entry.document, [_copy(error) for error in entry.errors]


def _max_tokens(context: object) -> int:
    settings = getattr(context, "settings", None)
    return settings.max_query_tokens if isinstance(settings, Settings) else 2**31


class SharedDocuments(SchemaExtension):
    """The schema's parse and validate steps through the process-wide cache: a document is
    parsed and validated once while it stays there (and held nowhere else)."""

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        if execution_context.query is not None:
            execution_context.graphql_document = parse_document(
                execution_context.query, _max_tokens(execution_context.context)
            )
        yield

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        query = execution_context.query
        if query is not None and execution_context.graphql_document is not None:
            _, execution_context.pre_execution_errors = validated(
                execution_context.schema._schema,
                query,
                _max_tokens(execution_context.context),
                tuple(execution_context.validation_rules),
            )
        yield


def without_suggestions(errors: list[GraphQLError]) -> None:
    """Drop graphql-core's "Did you mean ...?" hints (they list the schema's names)."""
    for number, error in enumerate(errors):
        if "Did you mean" in error.message:
            errors[number] = _copy(error, SUGGESTION.sub("", error.message))


def _copy(error: GraphQLError, message: str | None = None) -> GraphQLError:
    return GraphQLError(
        error.message if message is None else message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        error.extensions,
    )


class NoSuggestions(SchemaExtension):
    """In production, errors do not suggest names of the schema."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        settings = getattr(self.execution_context.context, "settings", None)
        if (
            result is not None
            and result.errors
            and isinstance(settings, Settings)
            and settings.environment is Environment.PRODUCTION
        ):
            without_suggestions(result.errors)


# -- measuring -------------------------------------------------------------------------------


@dataclass(slots=True)
class Measure:
    """What a selection set asks for: ``cost`` per instance of its parent, its field depth,
    its aliases and directives, whether it introspects."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    introspection: bool = False

    def add(self, other: Measure, times: int = 1, *, deeper: int = 0) -> None:
        self.cost += other.cost * times
        self.depth = max(self.depth, other.depth + deeper)
        self.aliases += other.aliases
        self.directives += other.directives
        self.introspection = self.introspection or other.introspection


NORMAL, ITEMS, EDGE = "normal", "items", "edge"  # where a selection set sits (see ``measure``)


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    page_size: int
    max_page_size: int
    list_items: int
    cap: int
    memo: dict[tuple[str, str, int], Measure] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, mode: str, n: int
    ) -> Measure:
        measure = Measure()
        if selection_set is None:
            return measure
        for selection in selection_set.selections:
            measure.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                measure.add(self.field(selection, parent, mode, n))
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    found = self.schema.get_type(selection.type_condition.name.value)
                    condition = found if found is not None else parent
                measure.add(self.selections(selection.selection_set, condition, mode, n))
            elif isinstance(selection, FragmentSpreadNode):
                measure.add(self.spread(selection.name.value, mode, n))
            measure.cost = min(measure.cost, self.cap)
        return measure

    def spread(self, name: str, mode: str, n: int) -> Measure:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:  # unknown or cyclic: validation says so
            return Measure()
        key = (name, mode, n)
        if key not in self.memo:  # linear in the multiplier: measured once, however spread
            condition = self.schema.get_type(fragment.type_condition.name.value)
            self.visiting.add(name)
            try:
                self.memo[key] = (
                    Measure()
                    if condition is None
                    else self.selections(fragment.selection_set, condition, mode, n)
                )
            finally:
                self.visiting.discard(name)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, mode: str, n: int) -> Measure:
        name = node.name.value
        measure = Measure(aliases=1 if node.alias is not None else 0)
        if name in INTROSPECTION_FIELDS:
            measure.introspection = True
            measure.cost = measure.depth = 1
            return measure  # the schema's description: neither deep nor costly to answer
        definition = _field_of(parent, name)
        if definition is None:
            return measure  # __typename, or an unknown field validation reports
        nullable = get_nullable_type(definition.type)
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            measure.depth = 1
            return measure
        if mode == ITEMS and name in ("edges", "nodes"):  # the page's items, counted above
            inner_mode = EDGE if name == "edges" else NORMAL
            measure.add(self.selections(node.selection_set, named, inner_mode, 1), n, deeper=1)
        elif mode == EDGE and name == "node":  # the item itself, counted with its page
            measure.add(self.selections(node.selection_set, named, NORMAL, 1), deeper=1)
        elif _is_connection(named):
            size = self.page(node, definition)
            measure.cost = size
            measure.add(self.selections(node.selection_set, named, ITEMS, size), deeper=1)
        elif isinstance(nullable, GraphQLList):
            items = self.items(node, definition)
            inner = self.selections(node.selection_set, named, NORMAL, 1)
            measure.cost = items
            measure.add(inner, items, deeper=1)
        else:
            measure.cost = 1
            measure.add(self.selections(node.selection_set, named, NORMAL, 1), deeper=1)
        measure.cost = min(measure.cost, self.cap)
        return measure

    def argument(self, node: FieldNode, definition: GraphQLField, name: str) -> Any:
        argument = definition.args.get(name)
        for given in node.arguments or ():
            if given.name.value == name and argument is not None:
                if isinstance(given.value, VariableNode):
                    return self.variables.get(given.value.name.value)
                return value_from_ast(given.value, argument.type, dict(self.variables))
        return None if argument is None else argument.default_value

    def page(self, node: FieldNode, definition: GraphQLField) -> int:
        """The page size a connection field asks for (the resolver refuses larger ones)."""
        asked = self.argument(node, definition, "first")
        if not isinstance(asked, int):
            asked = self.argument(node, definition, "last")
        if not isinstance(asked, int):
            asked = self.page_size
        return max(0, min(asked, self.max_page_size))

    def items(self, node: FieldNode, definition: GraphQLField) -> int:
        """A list's bound: the length of the list argument it answers item by item (``nodes(ids:
        ...)``), the bound declared on the field, or the configured estimate."""
        for given in node.arguments or ():
            value = given.value
            if given.name.value != "ids":
                continue
            if isinstance(value, ListValueNode):
                return len(value.values)
            if isinstance(value, VariableNode):
                found = self.variables.get(value.name.value)
                if isinstance(found, list):
                    return len(found)
        declared = _declared_items(definition)
        return declared if declared is not None else self.list_items


def _field_of(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _is_connection(named: GraphQLNamedType) -> bool:
    """A Relay connection: a page of ``edges`` whose items carry a ``node``."""
    if not isinstance(named, GraphQLObjectType):
        return False
    edges = named.fields.get("edges")
    if edges is None:
        return False
    edge = get_named_type(edges.type)
    return isinstance(edge, GraphQLObjectType) and "node" in edge.fields


def _declared_items(definition: GraphQLField) -> int | None:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    metadata = getattr(strawberry_field, "metadata", None) or {}
    declared = metadata.get(COST_ITEMS)
    return declared if isinstance(declared, int) else None


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    settings: Settings,
) -> Measure:
    """The operation's :class:`Measure`. Its cost counts the nodes the answer can hold: an
    object field 1 per instance of its parent; a connection its page size (``first``/``last``,
    else the default page, at most the page cap), its items' own selections multiplied by it;
    another list of objects its bound (:meth:`_Walk.items`), likewise. Scalars are free, the
    answer to introspection costs 1. At least 1."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    walk = _Walk(
        schema=schema,
        fragments=fragments,
        variables=_with_defaults(operation, variables),
        page_size=min(DEFAULT_PAGE_SIZE, settings.max_page_size),
        max_page_size=settings.max_page_size,
        list_items=settings.cost_list_items,
        cap=10**12,  # beyond any budget: keeps the numbers small however deep the nesting
    )
    result = Measure()
    if root is not None:
        result = walk.selections(operation.selection_set, root, NORMAL, 1)
    result.directives += len(operation.directives or ())
    result.cost = max(result.cost, 1)
    return result


def _with_defaults(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> dict[str, Any]:
    given = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in given and definition.default_value is not None:
            given[name] = value_from_ast_untyped(definition.default_value)
    return given


# -- deciding --------------------------------------------------------------------------------


def budget_of(viewer: Viewer, settings: Settings) -> int:
    """The largest cost one operation of ``viewer`` may have."""
    if viewer.api_key_id is not None:
        return viewer.cost_budget or settings.cost_budget_api_key
    if viewer.account_id is not None:
        return settings.cost_budget_account
    return settings.cost_budget_anonymous


def may_introspect(viewer: Viewer, settings: Settings) -> bool:
    return (
        settings.environment is not Environment.PRODUCTION
        or viewer.is_platform_admin
        or ApiKeyScope.INTROSPECT in viewer.scopes
    )


class OperationLimits:
    """The checks of the module, for one schema and its settings."""

    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings

    def check(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        viewer: Viewer,
    ) -> Checked | Refused | None:
        """``None`` when there is no document to check (the transport says so itself)."""
        settings = self.settings
        if not query:
            return None
        if len(query) > settings.max_query_characters:
            return refusal(
                "QUERY_TOO_LARGE",
                f"The document has {len(query)} characters; at most "
                f"{settings.max_query_characters} are accepted",
            )
        try:
            document = parse_document(query, settings.max_query_tokens)
        except GraphQLError as error:
            if "tokens" in error.message and "Parsing aborted" in error.message:
                return refusal(
                    "TOO_MANY_TOKENS",
                    f"The document has more than {settings.max_query_tokens} tokens",
                )
            return Refused([error])
        operation = _operation(document, operation_name)
        if operation is None:
            return None  # the schema answers an unknown or ambiguous operation itself
        found = measure(self.schema, document, operation, variables or {}, settings)
        if found.depth > settings.max_query_depth:
            return refusal(
                "QUERY_TOO_DEEP",
                f"The operation nests fields {found.depth} deep; at most "
                f"{settings.max_query_depth} levels are accepted",
            )
        if found.aliases > settings.max_query_aliases:
            return refusal(
                "TOO_MANY_ALIASES",
                f"The operation has {found.aliases} aliases; at most "
                f"{settings.max_query_aliases} are accepted",
            )
        if found.directives > settings.max_query_directives:
            return refusal(
                "TOO_MANY_DIRECTIVES",
                f"The operation has {found.directives} directives; at most "
                f"{settings.max_query_directives} are accepted",
            )
        if found.introspection and not may_introspect(viewer, self.settings):
            return refusal("INTROSPECTION_DISABLED", "Introspection is not available to you")
        budget = budget_of(viewer, settings)
        if found.cost > budget:
            return refusal(
                "QUERY_TOO_COMPLEX",
                f"The operation may cost {found.cost} (nodes it can return); your budget per "
                f"operation is {budget}. Ask for smaller pages or fewer nested lists",
                cost=found.cost,
                budget=budget,
            )
        return Checked(document, operation, found.cost, budget)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)
