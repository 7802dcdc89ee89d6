"""Compiled reads: a selection becomes one SQL statement whose only value is the response JSON.

A ``Shape`` is what a query asks of one object: per response key, a field of the type and,
for object and list fields, the shape of what they hold. ``statement`` turns the shape of a
root look-up (a row by a key column) into one ``SELECT json_build_object(...)`` with every
nested object, list and connection page as a correlated subquery (``json_agg``), each field
read as its declaration in ``hub/db/sources.py`` says, and values written as the general path
writes them (global IDs, enum names, ISO timestamps). Row rules come from where the general
path takes them: ``article.visible_to`` for articles, the nested lists' own statements
(``hub/db/nested.py``) and related coverage's (``related_coverage.statement``).

Statements of the anonymous public are compiled once per shape and reused, with the root's key
as their only parameter; other viewers' are built per request (the visibility rule depends on
the viewer). A shape holds no request values but page sizes, which change the statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Date,
    Interval,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.util import ClauseAdapter

from hub.auth import ANONYMOUS, Viewer
from hub.db.keyset import Ordering
from hub.db.nested import CHILD_LISTS
from hub.db.rendering import float_json, render, timestamp
from hub.db.repositories import related_coverage
from hub.db.repositories.article import ArticleQuery, visible_to
from hub.db.repositories.article_rows import Prepared
from hub.db.repositories.region import in_subtree
from hub.db.sources import (
    TYPES,
    Children,
    Column,
    Computed,
    Listed,
    Paged,
    Render,
    ToOne,
)
from hub.vocabulary import CALENDAR_ZONE, RelatedReason


@dataclass(frozen=True)
class Pick:
    """One response key: a field (or ``__typename``) and, for objects and lists, its shape;
    ``limit`` is the page size of a connection."""

    key: str
    field: str
    shape: Shape | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Shape:
    type_name: str  # the GraphQL type (of a connection, an edge, page info: theirs)
    picks: tuple[Pick, ...]


class NotCompiled(Exception):
    """The shape asks for something the compiler does not cover (the general path serves it)."""


@dataclass(frozen=True)
class Read:
    """The row being rendered: its FROM object (subqueries below it correlate to it) and its
    columns by name."""

    source: Any  # FromClause

    def __call__(self, name: str) -> Any:
        return self.source.c[name]


# The query of a nested list given no arguments but its page (lists of other types take none).
LIST_QUERIES: dict[str, Any] = {"Article": ArticleQuery()}

# Row rules of the general path, by type (rows of other types are readable by everyone).
ROW_RULES: dict[str, Callable[[Viewer], ColumnElement[bool]]] = {"Article": visible_to}


def _object(shape: Shape, read: Read, viewer: Viewer) -> ColumnElement[Any]:
    """``json_build_object`` of a row of ``shape.type_name``, read through ``read``."""
    declared = TYPES.get(shape.type_name)
    pairs: list[Any] = []
    for pick in shape.picks:
        if pick.field == "__typename":
            value: Any = literal(shape.type_name, String())
        elif declared is None or pick.field not in declared.fields:
            raise NotCompiled(f"{shape.type_name}.{pick.field}")
        else:
            value = _field(shape.type_name, declared.fields[pick.field], pick, read, viewer)
        pairs += [literal_column(_quoted(pick.key)), value]
    return func.json_build_object(*pairs)


def _quoted(key: str) -> str:
    assert key.replace("_", "").isalnum()  # GraphQL names: letters, digits, underscores
    return f"'{key}'"


def _field(type_name: str, source: Any, pick: Pick, read: Read, viewer: Viewer) -> Any:
    if isinstance(source, Column):
        return render(type_name, source, read(source.name))
    if isinstance(source, Computed) and source.builder in COMPUTED:
        return COMPUTED[source.builder](type_name, pick, read, viewer)
    assert pick.shape is not None
    if isinstance(source, ToOne):
        return _to_one(source, pick.shape, read, viewer)
    if isinstance(source, Listed):
        return _listed(type_name, source, pick.shape, read, viewer)
    if isinstance(source, Children):
        return _children(type_name, source, pick.shape, read, viewer)
    if isinstance(source, Paged):
        return _paged(type_name, source, pick, read, viewer)
    raise NotCompiled(f"{type_name}.{pick.field}")


def _row(model: Any) -> Read:
    """A fresh alias of a model's table, as a row to render."""
    return Read(model.__table__.alias())


def _to_one(source: ToOne, shape: Shape, read: Read, viewer: Viewer) -> Any:
    declared = TYPES[source.target]
    row = _row(declared.model)
    found = select(_object(shape, row, viewer)).where(row(declared.key) == read(source.key))
    if rule := ROW_RULES.get(source.target):  # null when the viewer may not read it
        found = found.where(_adapted(rule(viewer), row))
    return found.correlate(read.source).scalar_subquery()


def _adapted(condition: ColumnElement[bool], row: Read) -> ColumnElement[bool]:
    """A condition written against a model's table, read on the row's alias of it."""
    adapted: ColumnElement[bool] = ClauseAdapter(row.source).traverse(condition)
    return adapted


def _aggregated(item: Any, order: list[Any]) -> Any:
    return func.coalesce(
        func.json_agg(aggregate_order_by(item, *order)), literal_column("'[]'::json")
    )


def _listed(type_name: str, source: Listed, shape: Shape, read: Read, viewer: Viewer) -> Any:
    declared = TYPES[source.target]
    row = _row(declared.model)
    link = source.link.alias()
    item = _object(shape, row, viewer)
    found = (
        select(_aggregated(item, [row(source.order)]))
        .select_from(link.join(row.source, row(declared.key) == link.c[source.target_key]))
        .where(link.c.article_id == read(TYPES[type_name].key))
    )
    return found.correlate(read.source).scalar_subquery()


def _children(type_name: str, source: Children, shape: Shape, read: Read, viewer: Viewer) -> Any:
    row = _row(TYPES[source.target].model)
    item = _object(shape, row, viewer)
    order = [row(name) for name in source.order]
    found = select(_aggregated(item, order)).where(
        row(source.parent_key) == read(TYPES[type_name].key)
    )
    return found.correlate(read.source).scalar_subquery()


def _connection(
    outer: Read,
    pick: Pick,
    rows: Select[Any],
    ordering: Ordering,
    counted: Select[Any] | None,
    viewer: Viewer,
    edge_fields: Callable[[Pick, Read], Any] | None = None,
) -> Any:
    """A first page of ``rows`` (in ``ordering``) as the connection object ``pick`` asks for:
    its items numbered in order, one more than the page to know whether there is a next."""
    assert pick.shape is not None
    assert pick.limit is not None
    limit = pick.limit
    sort = [column.desc() if ordering.descending else column.asc() for column in ordering.columns]
    numbered = rows.add_columns(
        *ordering.labelled(), func.row_number().over(order_by=sort).label("position__")
    )
    page = numbered.order_by(*sort).limit(limit + 1).correlate(outer.source).lateral("page")
    read = Read(page)
    within = page.c.position__ <= limit
    cursor = _cursor(ordering, page)
    pairs: list[Any] = []
    for part in pick.shape.picks:
        if part.field == "__typename":
            value: Any = literal(pick.shape.type_name, String())
        elif part.field == "totalCount" and counted is not None:
            counting = counted.with_only_columns(func.count(), maintain_column_froms=True)
            value = counting.correlate(outer.source).scalar_subquery()
        elif part.field == "nodes" and part.shape is not None:
            item = _object(part.shape, read, viewer)
            value = _page_list(item, page, within)
        elif part.field == "edges" and part.shape is not None:
            edge = _edge(part.shape, read, cursor, viewer, edge_fields)
            value = _page_list(edge, page, within)
        elif part.field == "pageInfo" and part.shape is not None:
            value = _page_info(part.shape, page, limit, cursor, within)
        else:
            raise NotCompiled(f"{pick.shape.type_name}.{part.field}")
        pairs += [literal_column(_quoted(part.key)), value]
    found = select(func.json_build_object(*pairs))
    if any(part.field in ("nodes", "edges", "pageInfo") for part in pick.shape.picks):
        found = found.select_from(page)  # aggregated: one row, whatever the page holds
    return found.correlate(outer.source).scalar_subquery()


# The key of the object standing for a cursor until the response is read (no response key can
# be it: GraphQL names are letters, digits and underscores).
CURSOR_MARK = "#cursor"


def _cursor(ordering: Ordering, page: Any) -> Any:
    """A row's cursor as ``{"#cursor": [ordering name, key values...]}``: its values as the
    general path's cursors hold them (timestamps in ISO form, floats as floats); the response's
    reader encodes it (``cursor_of``)."""
    values: list[Any] = [literal(ordering.name, String())]
    for index, kind in enumerate(ordering.kinds):
        column = page.c[f"sort_{index}"]
        if kind is datetime:
            values.append(timestamp(column))
        elif kind is float:
            values.append(float_json(column))
        else:
            values.append(column)
    return func.json_build_object(
        literal_column(f"'{CURSOR_MARK}'"), func.json_build_array(*values)
    )


def _page_list(item: Any, page: Any, within: Any) -> Any:
    aggregated = func.json_agg(aggregate_order_by(item, page.c.position__)).filter(within)
    return func.coalesce(aggregated, literal_column("'[]'::json"))


def _edge(
    shape: Shape,
    read: Read,
    cursor: Any,
    viewer: Viewer,
    edge_fields: Callable[[Pick, Read], Any] | None,
) -> Any:
    pairs: list[Any] = []
    for part in shape.picks:
        if part.field == "__typename":
            value: Any = literal(shape.type_name, String())
        elif part.field == "cursor":
            value = cursor
        elif part.field == "node" and part.shape is not None:
            value = _object(part.shape, read, viewer)
        elif edge_fields is not None:
            value = edge_fields(part, read)
        else:
            raise NotCompiled(f"{shape.type_name}.{part.field}")
        pairs += [literal_column(_quoted(part.key)), value]
    return func.json_build_object(*pairs)


def _page_info(shape: Shape, page: Any, limit: int, cursor: Any, within: Any) -> Any:
    pairs: list[Any] = []
    for part in shape.picks:
        if part.field == "__typename":
            value: Any = literal("PageInfo", String())
        elif part.field == "hasNextPage":
            value = func.count() > limit
        elif part.field == "hasPreviousPage":  # a first page
            value = false()
        elif part.field in ("startCursor", "endCursor"):  # null on an empty page
            first = part.field == "startCursor"
            position = page.c.position__.asc() if first else page.c.position__.desc()
            cursors = func.json_agg(aggregate_order_by(cursor, position)).filter(within)
            value = cursors.op("->")(literal(0))
        else:
            raise NotCompiled(f"PageInfo.{part.field}")
        pairs += [literal_column(_quoted(part.key)), value]
    return func.json_build_object(*pairs)


def _paged(type_name: str, source: Paged, pick: Pick, read: Read, viewer: Viewer) -> Any:
    child = CHILD_LISTS[source.child_list]
    if child.model is not TYPES[source.target].model:
        raise NotCompiled(source.child_list)
    query = LIST_QUERIES.get(source.target)  # a list without arguments: its default query
    parent = read(TYPES[type_name].key)
    rows = child.statement(viewer, query).where(child.parent(parent))
    counted = (child.counted or child.statement)(viewer, query).where(child.parent(parent))
    return _connection(read, pick, rows, child.ordering(query), counted, viewer)


def _related_coverage(type_name: str, pick: Pick, read: Read, viewer: Viewer) -> Any:
    """Related coverage's first page, from its own statement (visibility included)."""
    rows = related_coverage.statement(viewer).where(
        related_coverage.of_article(read(TYPES[type_name].key))
    )
    score = Column("score", Render.FLOAT)
    reason = Column("reason", Render.ENUM, RelatedReason)

    def edge_fields(part: Pick, page: Read) -> Any:
        if part.field == "score":
            return render("RelatedArticleEdge", score, page(score.name))
        if part.field == "reason":
            return render("RelatedArticleEdge", reason, page(reason.name))
        if part.field == "shared":
            return func.to_json(page("shared"))
        raise NotCompiled(f"RelatedArticleEdge.{part.field}")

    ordering = related_coverage.ORDERING
    return _connection(read, pick, rows, ordering, None, viewer, edge_fields)


def _ancestors(type_name: str, pick: Pick, read: Read, viewer: Viewer) -> Any:
    """The regions above, the top first: those whose subtree holds this one."""
    assert pick.shape is not None
    declared = TYPES[type_name]
    row = _row(declared.model)
    code = read(declared.key)
    item = _object(pick.shape, row, viewer)
    above = and_(in_subtree(code, row("code")), row("code") != code)
    found = select(_aggregated(item, [row("code")])).where(above)
    return found.correlate(read.source).scalar_subquery()


def _calendar_day(type_name: str, pick: Pick, read: Read, viewer: Viewer) -> Any:
    """``vocabulary.calendar_day`` of an all-day event's moment (null for other events)."""
    declared = TYPES[type_name].fields[pick.field]
    assert isinstance(declared, Computed)
    moment = read(declared.columns[0])
    offset = CALENDAR_ZONE.utcoffset(None)
    day = cast(func.timezone("UTC", moment) + literal(offset, Interval()), Date())
    return case((read("all_day"), day), else_=None)


COMPUTED: dict[str, Callable[[str, Pick, Read, Viewer], Any]] = {
    "related_coverage": _related_coverage,
    "ancestors": _ancestors,
    "calendar_day": _calendar_day,
}


def statement(viewer: Viewer, shape: Shape, key_column: str, key: Any) -> Select[Any]:
    """One row of ``shape.type_name`` by ``key_column`` (if the viewer may read it), rendered.
    ``NotCompiled`` when the shape asks for something not covered."""
    table = TYPES[shape.type_name].model.__table__
    root = Read(table.alias("root"))
    response = cast(_object(shape, root, viewer), Text())  # text: read by orjson, not the driver
    built: Select[Any] = select(response.label("response"))
    built = built.where(root(key_column) == key)
    if rule := ROW_RULES.get(shape.type_name):
        built = built.where(_adapted(rule(viewer), root))
    return built


class StatementCache:
    """Compiled statements of the anonymous public, per (shape, key column), bounded; shapes
    the compiler does not cover are remembered as such."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.statements: dict[tuple[Shape, str], Prepared | None] = {}

    def get(
        self, dialect: Dialect, viewer: Viewer, shape: Shape, key_column: str, key: Any
    ) -> tuple[str, tuple[Any, ...]]:
        values = {"key": key}
        if viewer is not ANONYMOUS:
            prepared = self._compile(dialect, viewer, shape, key_column, key)
            return prepared.sql, prepared.parameters(values)
        index = (shape, key_column)
        if index in self.statements:
            cached = self.statements[index]
        else:
            try:
                cached = self._compile(dialect, viewer, shape, key_column, key)
            except NotCompiled:
                cached = None
            if len(self.statements) >= self.size:
                self.statements.pop(next(iter(self.statements)))
            self.statements[index] = cached
        if cached is None:
            raise NotCompiled(shape.type_name)
        return cached.sql, cached.parameters(values)

    @staticmethod
    def _compile(
        dialect: Dialect, viewer: Viewer, shape: Shape, key_column: str, key: Any
    ) -> Prepared:
        key_type = getattr(TYPES[shape.type_name].model, key_column).type
        bound = bindparam("key", key, type_=key_type)
        built = statement(viewer, shape, key_column, bound)
        return Prepared.compile(built, {"key": key}, dialect)


STATEMENTS = StatementCache()


async def read_one(
    session: AsyncSession,
    *,
    viewer: Viewer,
    shape: Shape,
    key_column: str,
    key: Any,
    cursor: Callable[[list[Any]], str],
) -> Any:
    """The response value of the row (``None`` when there is none the viewer may read), its
    cursors encoded by ``cursor``; ``NotCompiled`` before anything runs when the shape is not
    covered."""
    connection = await session.connection()
    sql, parameters = STATEMENTS.get(connection.dialect, viewer, shape, key_column, key)
    found = (await connection.exec_driver_sql(sql, parameters)).scalar_one_or_none()
    if found is None:
        return None
    value = orjson.loads(found)
    if f'"{CURSOR_MARK}"' in found:
        return _with_cursors(value, cursor)
    return value


def _with_cursors(value: Any, cursor: Callable[[list[Any]], str]) -> Any:
    """``value`` with each cursor object replaced by its encoding."""
    if isinstance(value, dict):
        if len(value) == 1 and CURSOR_MARK in value:
            return cursor(value[CURSOR_MARK])
        return {key: _with_cursors(item, cursor) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_cursors(item, cursor) for item in value]
    return value
