"""How request values enter SQL: inline (the usual way) or as named parameters.

Statement builders take a ``Binds``. ``INLINE`` puts each value into the statement (SQLAlchemy
binds it anonymously): the statement is built per request. ``NamedBinds`` puts named parameters
instead and records the values, so one built statement serves every request of the same shape
(the fast path caches them: building a statement costs more than running it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, literal
from sqlalchemy.types import TypeEngine


class Binds:
    """Values inline."""

    def value(self, name: str, value: Any) -> Any:
        """A value compared with a column (it takes the column's type)."""
        del name
        return value

    def expression(self, name: str, value: Any, type_: TypeEngine[Any] | None = None) -> Any:
        """A value standing on its own in an expression."""
        del name
        return literal(value, type_)


class NamedBinds(Binds):
    """Named parameters; ``values`` holds what this build was given."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def value(self, name: str, value: Any) -> Any:
        self.values[name] = value
        return bindparam(name)

    def expression(self, name: str, value: Any, type_: TypeEngine[Any] | None = None) -> Any:
        self.values[name] = value
        return bindparam(name, type_=type_ if type_ is not None else literal(value).type)


INLINE = Binds()
