"""Compiled look-ups (``article(slug:)``, ``region(code:)``, ``node(id:)``...): one statement.

The selection under the root field is read into a ``Shape`` (fragments merged, page sizes
resolved from arguments and variables) and compiled by ``hub/db/compiled.py`` into one SQL
statement whose value is the response JSON, returned as ``Completed``. Any selection the
compiler does not cover — directives below the root, arguments other than a connection's
``first``, fields without a declaration in ``hub/db/sources.py``, a page size the general path
would refuse (it reports the error at the right path) — is served by the general path (``None``
here). ``HUB_PROJECTED_READS=false`` turns this path off, as it does the article lists' one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    IntValueNode,
    NullValueNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from strawberry.types import Info

from hub import reads
from hub.context import Context
from hub.db import compiled
from hub.db.compiled import NotCompiled, Pick, Shape
from hub.db.keyset import Ordering
from hub.db.repositories.article import ArticleQuery
from hub.db.sources import TYPES, Paged
from hub.errors import InvalidInput
from hub.resolvers.article import reading_list
from hub.resolvers.pagination import cursor_of, page_from_arguments
from hub.schema.projection import Completed, NotProjectable, Selection

PAGE_ARGUMENTS = ("first", "after", "last", "before")
NO_ORDERING = Ordering("first-page", (), False, ())  # first pages decode no cursor


class SchemaSelection(Selection):
    """Fields of a selection set, fragments on interfaces and unions applied as the schema says."""

    def __init__(self, raw: GraphQLResolveInfo[Any]) -> None:
        super().__init__(raw.fragments, arguments=True)
        self.schema = raw.schema

    def _applies(self, condition: str, type_name: str) -> bool:
        if condition == type_name:
            return True
        abstract = self.schema.get_type(condition)
        concrete = self.schema.get_type(type_name)
        return (
            is_abstract_type(abstract)
            and isinstance(concrete, GraphQLObjectType)
            and self.schema.is_sub_type(abstract, concrete)
        )


class Walk:
    """Reads the selection of a root field into a ``Shape``."""

    def __init__(self, raw: GraphQLResolveInfo[Any], maximum_page: int) -> None:
        self.selection = SchemaSelection(raw)
        self.schema = raw.schema
        given: Any = raw.variable_values  # coerced values (graphql-core's own kind or a dict)
        self.variables: dict[str, Any] = getattr(given, "coerced", given)
        self.maximum_page = maximum_page
        self.used: set[str] = set()  # the variables the shape depends on

    def shape(self, nodes: Sequence[FieldNode], type_name: str) -> Shape:
        object_type = self.schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        picks: list[Pick] = []
        for key, fields in self.selection.fields(nodes, type_name).items():
            name = fields[0].name.value
            if name == "__typename":
                picks.append(Pick(key, name))
                continue
            definition = object_type.fields[name]
            # Validation makes the fields of one response key agree on their arguments.
            arguments = self._arguments(fields[0])
            target = get_named_type(definition.type)
            if is_leaf_type(target):
                if arguments:
                    raise NotProjectable
                picks.append(Pick(key, name))
            elif not isinstance(target, GraphQLObjectType):
                raise NotProjectable  # an interface or union: its type is known per row
            elif set(arguments) <= set(PAGE_ARGUMENTS) and target.name.endswith("Connection"):
                limit = self._first_page(arguments)
                picks.append(Pick(key, name, self.shape(fields, target.name), limit))
            elif arguments:
                raise NotProjectable
            else:
                picks.append(Pick(key, name, self.shape(fields, target.name)))
        return Shape(type_name, tuple(picks))

    def _arguments(self, node: FieldNode) -> dict[str, Any]:
        """Integer (or null) arguments, given or from variables; any other kind is not compiled."""
        values: dict[str, Any] = {}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode):
                self.used.add(value.name.value)
                values[argument.name.value] = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                values[argument.name.value] = int(value.value)
            elif isinstance(value, NullValueNode):
                values[argument.name.value] = None
            else:
                raise NotProjectable
        return values

    def _first_page(self, arguments: dict[str, Any]) -> int:
        """The size of a first page; anything else (cursors, ``last``, a size the general path
        refuses, with its error at the right path) is not compiled."""
        if any(arguments.get(name) is not None for name in ("after", "last", "before")):
            raise NotProjectable
        try:
            page = page_from_arguments(
                NO_ORDERING,
                first=arguments.get("first"),
                after=None,
                last=None,
                before=None,
                maximum=self.maximum_page,
            )
        except InvalidInput:
            raise NotProjectable from None
        return page.limit


Walked = dict[tuple[Any, ...], Shape | None]  # values of the variables used -> shape


class ShapeCache:
    """Shapes per root field of a parsed document (identity of its AST nodes; documents are
    cached) and per value of the variables they depend on (page sizes), bounded. ``None``: the
    selection needs the general path."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.entries: dict[tuple[Any, ...], tuple[tuple[FieldNode, ...], list[str], Walked]] = {}

    def shape(self, raw: GraphQLResolveInfo[Any], type_name: str, maximum: int) -> Shape | None:
        nodes = tuple(raw.field_nodes)
        key = (type_name, maximum, *(id(node) for node in nodes))
        entry = self.entries.get(key)
        if entry is None or not all(a is b for a, b in zip(entry[0], nodes, strict=True)):
            entry = (nodes, [], {})
            if len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = entry
        _, names, walked = entry
        given: Any = raw.variable_values
        variables = getattr(given, "coerced", given)
        values = tuple(variables.get(name) for name in names)
        if values in walked:
            return walked[values]
        walk = Walk(raw, maximum)
        try:
            shape: Shape | None = walk.shape(nodes, type_name)
        except NotProjectable:
            shape = None
        if set(names) != walk.used:  # first walk (a document's variables do not change)
            names[:] = sorted(walk.used)
            walked.clear()
            values = tuple(variables.get(name) for name in names)
        walked[values] = shape
        return shape


SHAPES = ShapeCache()


@functools.lru_cache(maxsize=1024)
def _holds(shape: Shape) -> frozenset[str]:
    """The types of the objects a shape's answer holds (itself and everything below)."""
    held = {shape.type_name}
    for pick in shape.picks:
        if pick.shape is not None:
            held |= _holds(pick.shape)
    return frozenset(held)


# The tag of a looked-up row, by type and key column (as the general path's look-ups tag it).
LOOKED_UP = {
    ("Article", "slug"): reads.ARTICLE_SLUG,
    ("Article", "id"): reads.ARTICLE,
    ("Event", "slug"): reads.EVENT_SLUG,
    ("Event", "id"): reads.EVENT,
}


def _articles_below(shape: Shape) -> bool:
    """Whether objects below a shape's own hold articles."""
    return any(pick.shape is not None and "Article" in _holds(pick.shape) for pick in shape.picks)


def _listed_articles(connection: Shape) -> list[Shape]:
    """The article shapes of a connection's ``nodes`` and ``edges { node }``."""
    found: list[Shape] = []
    for part in connection.picks:
        if part.shape is not None and part.shape.type_name == "Article":
            found.append(part.shape)
        elif part.shape is not None:
            found += [
                p.shape for p in part.shape.picks if p.shape and p.shape.type_name == "Article"
            ]
    return found


def record_reads(shape: Shape, key_column: str, key: Any) -> None:
    """What the answer depends on, for the response cache (``hub/reads.py``), as the general
    path records it where the statement's own values tell (the looked-up row, the article
    lists under it); elsewhere any article or any event stands for those the answer holds
    (wider than the general path's tags, never narrower)."""
    declared = TYPES[shape.type_name]
    if kind := LOOKED_UP.get((shape.type_name, key_column)):
        reads.entity(kind, key)
    for pick in shape.picks:
        if pick.shape is None:
            continue
        held = _holds(pick.shape)
        if "Event" in held:
            reads.event_list()
        if "Article" not in held:
            continue
        source = declared.fields.get(pick.field)
        listed = _listed_articles(pick.shape)
        if (
            isinstance(source, Paged)
            and source.target == "Article"
            and key_column == declared.key
            and not any(_articles_below(article) for article in listed)
        ):
            reading_list(ArticleQuery(), parent=(source.child_list, key))
        else:
            reads.article_list(None)


async def look_up(
    info: Info[Context, None], type_name: str, key_column: str, key: Any
) -> Completed | None:
    """The row of ``type_name`` whose ``key_column`` is ``key``, in response form, from one
    statement; ``None`` when the selection needs the general path."""
    ctx = info.context
    if not ctx.settings.projected_reads:
        return None
    shape = SHAPES.shape(info._raw_info, type_name, ctx.settings.max_page_size)
    if shape is None:
        return None
    record_reads(shape, key_column, key)
    try:
        async with ctx.reads() as session:
            value = await compiled.read_one(
                session,
                viewer=ctx.viewer,
                shape=shape,
                key_column=key_column,
                key=key,
                cursor=cursor_of,
            )
    except NotCompiled:
        return None
    return Completed(value)
