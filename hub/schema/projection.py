"""Fast path for article lists: one SQL statement, the response built without per-field resolvers.

When the selection under an ``ArticleConnection`` asks only for plain data — article fields,
its agency and event (their own fields), regions, tags, election stages, page info, cursors,
scores, highlights and how the search was understood — the list is fetched with one statement
(``hub/db/repositories/article_rows.py``) and shaped straight into the response. The plan of a
selection is compiled once per parsed document (documents are cached) and reused. Anything else
(arguments or directives below the list, other edges, unknown fields) takes the general path
through the types and DataLoaders; both give the same response (tested).

The value is returned as ``Completed``; ``HubExecutionContext`` hands it to the response as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from graphql.language import FragmentDefinitionNode
from strawberry.types import Info

from hub.context import Context
from hub.db.keyset import PageRows
from hub.db.repositories import article as article_repository
from hub.db.repositories import article_rows
from hub.db.repositories.article import ArticleQuery
from hub.db.sources import NODE_TYPES, TYPES, Column, Listed, Render, ToOne
from hub.resolvers.article import reading_list
from hub.resolvers.connections import ConnectionArgs, page_of, slice_of
from hub.resolvers.global_id import encode


@dataclass(frozen=True, slots=True)
class Completed:
    """A field value already in response form (see ``HubExecutionContext``)."""

    value: Any


Convert = Callable[[Any], Any] | None


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _global(type_name: str) -> Callable[[Any], str]:
    return lambda key: encode(type_name, key)


def _converter(type_name: str, column: Column) -> Convert:
    """The response value of a column's value, as its declaration says."""
    if column.render is Render.GLOBAL_ID:
        return _global(type_name)
    if column.render is Render.TIMESTAMP:
        return _iso
    if column.render is Render.ENUM:
        enum = column.enum
        assert enum is not None
        return lambda value: enum(value).name
    if column.render is Render.FLOAT:
        return float
    return None


def columns_of(type_name: str) -> dict[str, tuple[str, Convert]]:
    """GraphQL field -> (column, conversion to the response value) of a declared type.
    Listed edges arrive as JSON: their dates are already ISO strings."""
    return {
        name: (column.name, _converter(type_name, column))
        for name, column in TYPES[type_name].columns().items()
    }


COLUMNS = {type_name: columns_of(type_name) for type_name in TYPES}
ARTICLE_FIELDS = TYPES["Article"].fields


class NotProjectable(Exception):
    """The selection needs the general path."""


Entry = tuple[str, Callable[[Any], Any]]  # response key, value from the source


@dataclass
class Plan:
    """How to build one article list response, and what the statement must fetch."""

    connection: list[Entry] = field(default_factory=list)
    article: set[str] = field(default_factory=set)
    joined: dict[str, set[str]] = field(default_factory=dict)
    lists: dict[str, set[str]] = field(default_factory=dict)
    highlight: bool = False
    total_count: bool = False

    @cached_property
    def needs(self) -> article_rows.ArticleNeeds:
        """What the statement fetches; read once the plan is compiled (then it is fixed)."""
        return article_rows.ArticleNeeds(
            article=frozenset(self.article),
            joined=tuple(sorted((name, frozenset(cols)) for name, cols in self.joined.items())),
            lists=tuple(sorted((name, frozenset(cols)) for name, cols in self.lists.items())),
            highlight=self.highlight,
        )


class Selection:
    """Fields of a selection set for one object type, fragments merged (graphql's collect)."""

    def __init__(
        self, fragments: dict[str, FragmentDefinitionNode], *, arguments: bool = False
    ) -> None:
        self.fragments = fragments
        self.arguments = arguments  # whether fields may have arguments (read by the caller)

    def fields(self, nodes: Sequence[FieldNode], type_name: str) -> dict[str, list[FieldNode]]:
        collected: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self._collect(node.selection_set, type_name, collected)
        return collected

    def _collect(
        self, selection_set: SelectionSetNode, type_name: str, into: dict[str, list[FieldNode]]
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotProjectable
            if isinstance(selection, FieldNode):
                if selection.arguments and not self.arguments:
                    raise NotProjectable
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, type_name):
                    self._collect(selection.selection_set, type_name, into)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(fragment.type_condition.name.value, type_name):
                    self._collect(fragment.selection_set, type_name, into)

    def _applies(self, condition: str, type_name: str) -> bool:
        return condition == type_name or (condition == "Node" and type_name in NODE_TYPES)


def _scalars(
    selection: Selection,
    nodes: Sequence[FieldNode],
    type_name: str,
    specs: dict[str, tuple[str, Convert]],
    needed: set[str],
    prefix: str = "",
) -> list[Entry]:
    """Entries of an object with scalar fields only, read from ``prefix + column``."""
    return [
        _scalar(key, fields[0].name.value, type_name, specs, needed, prefix)
        for key, fields in selection.fields(nodes, type_name).items()
    ]


def _scalar(
    key: str,
    name: str,
    type_name: str,
    specs: dict[str, tuple[str, Convert]],
    needed: set[str],
    prefix: str = "",
) -> Entry:
    if name == "__typename":
        return key, _constant(type_name)
    if name not in specs:
        raise NotProjectable
    column, convert = specs[name]
    needed.add(column)
    return key, _reader(prefix + column, convert)


def _constant(value: Any) -> Callable[[Any], Any]:
    return lambda _source: value


def _reader(column: str, convert: Convert) -> Callable[[Any], Any]:
    if convert is None:
        return lambda source: source[column]

    def read(source: Any) -> Any:
        value = source[column]
        return None if value is None else convert(value)

    return read


def _shape(entries: list[Entry]) -> Callable[[Any], dict[str, Any]]:
    def build(source: Any) -> dict[str, Any]:
        return {key: value(source) for key, value in entries}

    return build


def _article(selection: Selection, nodes: Sequence[FieldNode], plan: Plan) -> list[Entry]:
    entries: list[Entry] = []
    for key, fields in selection.fields(nodes, "Article").items():
        name = fields[0].name.value
        source = ARTICLE_FIELDS.get(name)
        if isinstance(source, ToOne):
            wanted = plan.joined.setdefault(name, set())
            specs = COLUMNS[source.target]
            target = _shape(_scalars(selection, fields, source.target, specs, wanted, f"{name}__"))
            if source.nullable:  # outer join: a missing target reads as null
                target = _when_present(f"{name}__present", target)
            entries.append((key, target))
        elif isinstance(source, Listed):
            wanted = plan.lists.setdefault(name, set())
            specs = COLUMNS[source.target]
            item = _shape(_scalars(selection, fields, source.target, specs, wanted))
            entries.append((key, _listed(name, item)))
        else:
            entries.append(_scalar(key, name, "Article", COLUMNS["Article"], plan.article))
    return entries


def _when_present(column: str, build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda source: None if source[column] is None else build(source)


def _listed(column: str, item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda source: [item(value) for value in source[column]]


@dataclass(frozen=True, slots=True)
class EdgeSource:
    """What an edge's fields read: the row, its cursor."""

    row: Any
    cursor: str

    def __getitem__(self, column: str) -> Any:
        return self.row[column]


def _edge(selection: Selection, nodes: Sequence[FieldNode], plan: Plan) -> list[Entry]:
    entries: list[Entry] = []
    for key, fields in selection.fields(nodes, "ArticleEdge").items():
        name = fields[0].name.value
        if name == "cursor":
            entries.append((key, lambda edge: edge.cursor))
        elif name == "node":
            entries.append((key, _shape(_article(selection, fields, plan))))
        elif name == "score":
            entries.append((key, lambda edge: edge["score"]))
        elif name == "highlight":
            plan.highlight = True
            highlight = {"title": "highlight__title", "snippet": "highlight__snippet"}
            parts: list[Entry] = []
            for part_key, part in selection.fields(fields, "SearchHighlight").items():
                part_name = part[0].name.value
                if part_name == "__typename":
                    parts.append((part_key, _constant("SearchHighlight")))
                else:
                    parts.append((part_key, _reader(highlight[part_name], None)))
            entries.append((key, _when_present("highlight__title", _shape(parts))))
        elif name == "__typename":
            entries.append((key, _constant("ArticleEdge")))
        else:
            raise NotProjectable
    return entries


PAGE_INFO = {
    "hasNextPage": lambda page: page.has_next,
    "hasPreviousPage": lambda page: page.has_previous,
    "startCursor": lambda page: page.cursors[0] if page.cursors else None,
    "endCursor": lambda page: page.cursors[-1] if page.cursors else None,
    "__typename": lambda _page: "PageInfo",
}


def compile_plan(info: Info[Context, None]) -> Plan | None:
    """The plan of this field's selection, or ``None`` when it needs the general path."""
    raw = info._raw_info  # the graphql-core info: AST nodes and fragments of the document
    selection = Selection(raw.fragments)
    plan = Plan()
    try:
        for key, fields in selection.fields(raw.field_nodes, "ArticleConnection").items():
            name = fields[0].name.value
            if name == "edges":
                edge = _shape(_edge(selection, fields, plan))
                plan.connection.append((key, _edges(edge)))
            elif name == "nodes":
                node = _shape(_article(selection, fields, plan))
                plan.connection.append((key, _nodes(node)))
            elif name == "pageInfo":
                parts = [
                    (part_key, PAGE_INFO[part[0].name.value])
                    for part_key, part in selection.fields(fields, "PageInfo").items()
                ]
                plan.connection.append((key, _page_info(parts)))
            elif name == "totalCount":
                plan.total_count = True
                plan.connection.append((key, lambda response: response.total))
            elif name == "searchedFor":
                plan.connection.append((key, _searched_for(selection, fields)))
            elif name == "__typename":
                plan.connection.append((key, _constant("ArticleConnection")))
            else:
                raise NotProjectable
    except NotProjectable:
        return None
    return plan


def _searched_for(selection: Selection, nodes: Sequence[FieldNode]) -> Callable[[Any], Any]:
    """``searchedFor``: the search as understood, with its corrections."""
    parts: list[tuple[str, str, dict[str, str]]] = []  # (key, field, correction fields)
    for key, fields in selection.fields(nodes, "SearchedFor").items():
        inner = selection.fields(fields, "SearchCorrection")
        parts.append((key, fields[0].name.value, {k: f[0].name.value for k, f in inner.items()}))

    def value(searched: Any, name: str, inner: dict[str, str]) -> Any:
        if name == "__typename":
            return "SearchedFor"
        if name == "text":
            return searched.text
        return [
            {
                key: "SearchCorrection" if field == "__typename" else pair[field]
                for key, field in inner.items()
            }
            for pair in ({"typed": t, "understood": u} for t, u in searched.corrections)
        ]

    def build(response: Response) -> Any:
        searched = response.searched_for
        if searched is None:
            return None
        return {key: value(searched, name, inner) for key, name, inner in parts}

    return build


@dataclass(frozen=True, slots=True)
class Response:
    page: Any  # Slice of row mappings
    total: int | None
    searched_for: Any  # search_language.SearchedFor | None


def _edges(edge: Callable[[EdgeSource], dict[str, Any]]) -> Callable[[Response], Any]:
    return lambda response: [
        edge(EdgeSource(row, cursor))
        for row, cursor in zip(response.page.items, response.page.cursors, strict=True)
    ]


def _nodes(node: Callable[[Any], dict[str, Any]]) -> Callable[[Response], Any]:
    return lambda response: [node(row) for row in response.page.items]


def _page_info(parts: list[Entry]) -> Callable[[Response], Any]:
    return lambda response: {key: value(response.page) for key, value in parts}


class PlanCache:
    """Compiled plans per field of a parsed document (identity of its AST nodes), bounded."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.plans: dict[tuple[int, ...], tuple[tuple[FieldNode, ...], Plan | None]] = {}

    def plan(self, info: Info[Context, None]) -> Plan | None:
        nodes = tuple(info._raw_info.field_nodes)
        key = tuple(id(node) for node in nodes)
        cached = self.plans.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
            return cached[1]
        plan = compile_plan(info)
        if len(self.plans) >= self.size:
            self.plans.pop(next(iter(self.plans)))
        self.plans[key] = (nodes, plan)
        return plan


PLANS = PlanCache()


async def project_articles(
    info: Info[Context, None], plan: Plan, query: ArticleQuery, args: ConnectionArgs
) -> Completed:
    """The article list in response form, from one statement (two with ``totalCount``)."""
    ctx = info.context
    reading_list(query)
    ordering = query.ordering()
    page = page_of(ctx, ordering, args)
    async with ctx.reads() as session:
        rows: PageRows[Any] = await article_rows.page_rows(
            session, viewer=ctx.viewer, query=query, ordering=ordering, needs=plan.needs, page=page
        )
        total = None
        if plan.total_count:
            total = await article_repository.count(session, viewer=ctx.viewer, query=query)

    async def no_count() -> int:
        raise AssertionError("counted above")

    response = Response(slice_of(rows, ordering, no_count), total, query.searched_for)
    return Completed({key: value(response) for key, value in plan.connection})
