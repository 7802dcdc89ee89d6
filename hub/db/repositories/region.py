"""Region queries: look-ups, lists in code order, subtree conditions, the cached region tree."""

from __future__ import annotations

import time
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Select, String, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.keyset import Ordering
from hub.db.models import Region

BY_CODE = Ordering("code", (Region.code,), False, (str,))


def in_subtree(column: Any, code: Any) -> ColumnElement[bool]:
    """``column`` holds ``code`` or a code below it (descendants extend the code after a dot).

    ``code`` is a string or a SQL expression (the key column of a nested list).
    """
    if isinstance(code, str):
        code = literal(code, String())
    condition: ColumnElement[bool] = or_(column == code, column.like(code.concat(".%")))
    return condition


def statement(*, level: str | None = None, parent_code: str | None = None) -> Select[Any]:
    query = select(Region)
    if level is not None:
        query = query.where(Region.level == level)
    if parent_code is not None:
        query = query.where(Region.parent_code == parent_code)
    return query


class RegionTree:
    """The codes of every region and their parents: reference data, small and rarely changed."""

    def __init__(self, parents: dict[str, str | None]) -> None:
        self.parents = parents
        self.children: dict[str, list[str]] = {}
        for code, parent in sorted(parents.items()):
            if parent is not None:
                self.children.setdefault(parent, []).append(code)

    def subtree(self, code: str) -> list[str]:
        """``code`` and the codes below it, or ``[]`` when there is no such region."""
        if code not in self.parents:
            return []
        found = [code]
        for child in self.children.get(code, []):
            found += self.subtree(child)
        return found


TREE_TTL = 300.0  # seconds a process keeps the tree before reading it again
_trees: WeakKeyDictionary[Any, tuple[float, RegionTree]] = WeakKeyDictionary()


async def region_tree(sessions: async_sessionmaker[AsyncSession]) -> RegionTree:
    """The region tree, read at most every ``TREE_TTL`` seconds per session factory."""
    cached = _trees.get(sessions)
    if cached is not None and time.monotonic() - cached[0] < TREE_TTL:
        return cached[1]
    async with sessions() as session:
        rows = (await session.execute(select(Region.code, Region.parent_code))).all()
    tree = RegionTree({code: parent for code, parent in rows})
    _trees[sessions] = (time.monotonic(), tree)
    return tree
