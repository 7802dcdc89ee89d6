"""Keyset (cursor) pagination over any ordered statement, never offsets.

An ``Ordering`` names a sort (the name goes into cursors, so a cursor made for one ordering is
refused by another) and lists the key columns, all in one direction, the last one unique. A
``Page`` says how many rows to take, from which end, and the keys of the cursors to start after
or end before. ``paginate`` adds the row-value comparison, ORDER BY and LIMIT (one extra row to
know whether there is a next page); ``PageRows.build`` trims and orders the fetched rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    func,
    label,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased

from hub.db.binds import INLINE, Binds

KeyValue = int | float | str | datetime
Key = tuple[KeyValue, ...]
R = TypeVar("R")


@dataclass(frozen=True)
class Tier:
    """Rows meeting ``condition`` sort together, under the tier's ``value`` (see ``Ordering``).

    ``driving``, when set, is a simpler condition the tier's rows all meet (``condition`` adds
    exclusions, e.g. "not in a higher tier", that the planner cannot estimate): the tier is read
    from the first ``CANDIDATES`` rows meeting it, so reading never walks far for nothing.
    """

    value: int
    condition: ColumnElement[bool]
    driving: ColumnElement[bool] | None = None


CANDIDATES = 100  # rows a tier's driving condition may supply beyond the page


@dataclass(frozen=True)
class Ordering:
    """A total order: key columns (the last one unique), all ascending or all descending.

    With ``tiers``, rows sort first by the value of the tier they belong to (the tiers'
    conditions exclude each other), then by the columns; the key starts with the tier value.
    Each tier is fetched by its own ordered query (``UNION ALL``), so no row outside the page
    needs its tier computed.
    """

    name: str
    columns: tuple[SQLColumnExpression[Any], ...]
    descending: bool
    kinds: tuple[type, ...]  # Python type of each key value, for decoding cursors
    tiers: tuple[Tier, ...] = ()

    def key_of(self, row: Any) -> Key:
        """The key values of a fetched row (its columns are labelled ``sort_0``, ``sort_1``...)."""
        mapping = row._mapping
        return tuple(mapping[f"sort_{index}"] for index in range(len(self.kinds)))

    def labelled(self) -> list[ColumnElement[Any]]:
        return [label(f"sort_{index}", column) for index, column in enumerate(self.columns)]


@dataclass(frozen=True)
class Page:
    """Which slice to fetch: ``limit`` rows from the start (forward) or the end (backward)."""

    limit: int
    forward: bool = True
    after: Key | None = None
    before: Key | None = None


def keyset_condition(
    ordering: Ordering, page: Page, binds: Binds = INLINE
) -> ColumnElement[bool] | None:
    row = tuple_(*ordering.columns)
    conditions = []
    for name, key in (("after", page.after), ("before", page.before)):
        if key is None:
            continue
        bound = tuple_(
            *(
                binds.expression(f"{name}_{index}", value, getattr(column, "type", None))
                for index, (value, column) in enumerate(zip(key, ordering.columns, strict=True))
            )
        )
        later = (name == "after") == ordering.descending
        conditions.append(row < bound if later else row > bound)
    return and_(*conditions) if conditions else None


def sort_columns(ordering: Ordering, page: Page) -> list[ColumnElement[Any]]:
    """ORDER BY for fetching: the ordering itself, reversed when paging backward."""
    descending = ordering.descending == page.forward
    return [column.desc() if descending else column.asc() for column in ordering.columns]


def paginate(
    statement: Select[Any], ordering: Ordering, page: Page, binds: Binds = INLINE
) -> Select[Any]:
    """``statement`` restricted to the page (plus one row), with its sort keys labelled."""
    if ordering.tiers:
        return _paginate_tiers(statement, ordering, page, binds)
    condition = keyset_condition(ordering, page, binds)
    if condition is not None:
        statement = statement.where(condition)
    return (
        statement.add_columns(*ordering.labelled())
        .order_by(*sort_columns(ordering, page))
        .limit(binds.constant("limit", page.limit + 1, Integer()))
    )


def _tier_bounds(tier: int, page: Page) -> tuple[bool, Key | None, Key | None]:
    """Whether a tier can hold rows of the page, and the cursors' keys within it (tiers run
    from the highest value down)."""
    after = before = None
    if page.after is not None:
        cursor_tier = page.after[0]
        assert isinstance(cursor_tier, int)
        if tier > cursor_tier:
            return False, None, None
        after = page.after[1:] if tier == cursor_tier else None
    if page.before is not None:
        cursor_tier = page.before[0]
        assert isinstance(cursor_tier, int)
        if tier < cursor_tier:
            return False, None, None
        before = page.before[1:] if tier == cursor_tier else None
    return True, after, before


def _paginate_tiers(
    statement: Select[Any], ordering: Ordering, page: Page, binds: Binds
) -> Select[Any]:
    """One ordered, limited query per tier that can hold page rows, merged by (tier, keys).

    The tiers are read in the page's order, each a CTE run only when the tiers before it did not
    fill the page (a one-time filter on their row counts): a common word, whose first tier fills
    the page, never reads the lower ones.
    """
    within = Ordering(ordering.name, ordering.columns, ordering.descending, ordering.kinds[1:])
    descending = ordering.descending == page.forward
    limit = binds.constant("limit", page.limit + 1, Integer())
    tiers = sorted(ordering.tiers, key=lambda tier: tier.value, reverse=descending)
    read: list[Any] = []  # the CTEs of the tiers before
    for tier in tiers:
        possible, after, before = _tier_bounds(tier.value, page)
        if not possible:
            continue
        in_tier = Page(page.limit, page.forward, after, before)
        restricted = statement.where(tier.condition)
        if tier.driving is not None:
            unique = ordering.columns[-1]
            pool = Page(page.limit + CANDIDATES, page.forward, after, before)
            # Inline values: the pool's size differs from the page's (callers that share built
            # statements key them by page size too).
            candidates = paginate(
                statement.where(tier.driving).with_only_columns(unique), within, pool, INLINE
            ).with_only_columns(unique)
            restricted = restricted.where(unique.in_(candidates))
        if read:
            found = sum(
                (select(func.count()).select_from(earlier).scalar_subquery() for earlier in read),
                start=literal(0, Integer()),
            )
            restricted = restricted.where(found < limit)
        branch = paginate(restricted, within, in_tier, binds)
        # sort_0 is the tier, then the columns: relabel the branch's own sort keys.
        columns = [
            column
            for column in branch.selected_columns
            if not (column.key or "").startswith("sort_")
        ]
        within_keys = [label(f"sort_{i + 1}", column) for i, column in enumerate(ordering.columns)]
        # A CTE does not correlate by itself: under a LATERAL (one page per parent) its
        # condition on the parent's key must refer to the enclosing query's row.
        read.append(
            branch.with_only_columns(
                *columns, label("sort_0", literal(tier.value, Integer())), *within_keys
            )
            .correlate_except(None)
            .cte(f"tier_{tier.value}", nesting=True)
        )
    merged = union_all(*(select(tier_rows) for tier_rows in read)).subquery("tiered")
    first = statement.column_descriptions[0]
    described = statement.column_descriptions
    selected: list[Any] = []
    if first.get("entity") is not None and first["expr"] is first["entity"]:
        selected.append(aliased(first["entity"], merged))
        described = described[1:]
    selected += [merged.c[item["name"]] for item in described]
    keys = [merged.c[f"sort_{index}"] for index in range(len(ordering.kinds))]
    return (
        select(*selected, *keys)
        .order_by(*(key.desc() if descending else key.asc() for key in keys))
        .limit(limit)
    )


def page_parameters(page: Page) -> dict[str, Any]:
    """The named parameters ``paginate`` gives a page (see ``hub/db/binds.py``)."""
    values: dict[str, Any] = {"limit": page.limit + 1}
    for name, key in (("after", page.after), ("before", page.before)):
        for index, value in enumerate(key or ()):
            values[f"{name}_{index}"] = value
    return values


@dataclass(frozen=True)
class PageRows(Generic[R]):
    """The rows of one page in the ordering's order, with their keys and the neighbours' news."""

    items: list[R]
    keys: list[Key]
    has_next: bool
    has_previous: bool

    @classmethod
    def build(
        cls,
        rows: Sequence[Any],
        ordering: Ordering,
        page: Page,
        item: Callable[[Any], R],
    ) -> PageRows[R]:
        more = len(rows) > page.limit
        rows = list(rows[: page.limit])
        if not page.forward:
            rows.reverse()
        return cls(
            items=[item(row) for row in rows],
            keys=[ordering.key_of(row) for row in rows],
            # Past the cursor on the far side there is at least the cursor's own row.
            has_next=more if page.forward else page.before is not None,
            has_previous=page.after is not None if page.forward else more,
        )
