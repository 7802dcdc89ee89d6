"""How request values enter SQL: inline (the usual way) or as named parameters.

Statement builders take a ``Binds``. ``INLINE`` puts each value into the statement (SQLAlchemy
binds it anonymously): the statement is built per request. ``NamedBinds`` puts named parameters
instead and records the values, so one built statement serves every request of the same shape
(the fast path caches them: building a statement costs more than running it).

A page's LIMIT is a *constant* of the statement: written into its text (callers that share
statements key them by it), so that PostgreSQL may settle on one generic plan for a prepared
statement. Statements whose best plan depends on their values — search words or a filter's
value, whose frequency decides between walking the listing order and using the value's own
index — keep it as a parameter (``generic_plan=False``): their generic plan then looks too
costly, and each execution is planned for its values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, literal
from sqlalchemy.types import TypeEngine


class Binds:
    """Values inline."""

    def __init__(self, *, generic_plan: bool = True) -> None:
        self.generic_plan = generic_plan

    def value(self, name: str, value: Any) -> Any:
        """A value compared with a column (it takes the column's type)."""
        del name
        return value

    def expression(self, name: str, value: Any, type_: TypeEngine[Any] | None = None) -> Any:
        """A value standing on its own in an expression."""
        del name
        return literal(value, type_)

    def constant(self, name: str, value: Any, type_: TypeEngine[Any]) -> Any:
        """A value that shapes the plan (a LIMIT): in the text unless planned per execution."""
        if self.generic_plan:
            return literal(value, type_, literal_execute=True)
        return self.expression(name, value, type_)


class NamedBinds(Binds):
    """Named parameters; ``values`` holds what this build was given (constants included)."""

    def __init__(self, *, generic_plan: bool = True) -> None:
        super().__init__(generic_plan=generic_plan)
        self.values: dict[str, Any] = {}

    def constant(self, name: str, value: Any, type_: TypeEngine[Any]) -> Any:
        self.values[name] = value
        return super().constant(name, value, type_)

    def value(self, name: str, value: Any) -> Any:
        self.values[name] = value
        return bindparam(name)

    def expression(self, name: str, value: Any, type_: TypeEngine[Any] | None = None) -> Any:
        self.values[name] = value
        return bindparam(name, type_=type_ if type_ is not None else literal(value).type)


INLINE = Binds()
INLINE_PLANNED_PER_VALUE = Binds(generic_plan=False)
