"""Generic keyset pages of one model: a root list, or one page per parent in one statement.

``select_page`` runs a filtered statement for a page; ``select_pages_by_parent`` runs the same
page for many parent keys at once with ``unnest(keys) CROSS JOIN LATERAL (...)``, which keeps
nested lists to one statement per level, whatever the number of parents.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from hub.db.binds import INLINE, Binds
from hub.db.keyset import Ordering, Page, PageRows, paginate

R = TypeVar("R")
ParentCondition = Callable[[Any], ColumnElement[bool]]


def parents_table(keys: Sequence[Hashable], key_type: TypeEngine[Any]) -> Any:
    """``SELECT unnest(:keys) AS key`` as a subquery."""
    return select(func.unnest(literal(list(keys), ARRAY(key_type))).label("key")).subquery()


async def select_page(
    session: AsyncSession,
    statement: Select[Any],
    ordering: Ordering,
    page: Page,
    item: Callable[[Any], R],
    binds: Binds = INLINE,
) -> PageRows[R]:
    """``statement`` selects the model first; ``item`` turns a row into a page item."""
    rows = (await session.execute(paginate(statement, ordering, page, binds))).all()
    return PageRows.build(rows, ordering, page, item)


async def select_pages_by_parent(
    session: AsyncSession,
    statement: Select[Any],
    model: type[Any],
    parent: ParentCondition,
    keys: Sequence[Hashable],
    key_type: TypeEngine[Any],
    ordering: Ordering,
    page: Page,
    item: Callable[[Any], R],
    binds: Binds = INLINE,
) -> list[PageRows[R]]:
    """One page per key (aligned with ``keys``); ``item`` gets ``(key, model, extra...)`` rows."""
    parents = parents_table(keys, key_type)
    inner = paginate(statement.where(parent(parents.c.key)), ordering, page, binds).lateral()
    own = set(model.__table__.c.keys())
    extra = [column for column in inner.c if column.key not in own]
    statement = select(parents.c.key, aliased(model, inner), *extra).select_from(
        parents.join(inner, true())
    )
    rows = (await session.execute(statement)).all()
    grouped: dict[Hashable, list[Any]] = {key: [] for key in keys}
    for row in rows:
        grouped[row.key].append(row)
    return [PageRows.build(grouped[key], ordering, page, item) for key in keys]


async def count_rows(session: AsyncSession, statement: Select[Any]) -> int:
    """The number of rows ``statement`` selects."""
    return int(
        await session.scalar(statement.with_only_columns(func.count(), maintain_column_froms=True))
        or 0
    )


async def count_by_parent(
    session: AsyncSession,
    statement: Select[Any],
    parent: ParentCondition,
    keys: Sequence[Hashable],
    key_type: TypeEngine[Any],
) -> list[int]:
    """The number of rows per key (aligned with ``keys``), in one statement."""
    parents = parents_table(keys, key_type)
    counted = (
        statement.where(parent(parents.c.key))
        .with_only_columns(func.count(), maintain_column_froms=True)
        .scalar_subquery()
    )
    rows = (await session.execute(select(parents.c.key, counted.label("n")))).all()
    counts = {row.key: row.n for row in rows}
    return [int(counts.get(key, 0)) for key in keys]
