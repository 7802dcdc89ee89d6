"""Values in SQL as the general path writes them in a response (JSON built by PostgreSQL).

Global IDs (``hub.resolvers.global_id.encode``), enum names, ``datetime.isoformat()`` of
timestamps and floats as Python writes them: what ``hub/db/compiled.py`` puts into the JSON it
builds must equal, byte for byte, what the resolvers' values become (tested by
``tests/schema/test_compiled_reads.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Double, String, case, cast, func, literal
from sqlalchemy.dialects.postgresql import JSON

from hub.db.sources import Column, Render


def global_id(type_name: str, key: Any) -> ColumnElement[Any]:
    """``hub.resolvers.global_id.encode`` in SQL: base64url of ``Type:key``, unpadded."""
    raw = func.convert_to(literal(f"{type_name}:", String()) + cast(key, String()), "UTF8")
    encoded = func.translate(func.encode(raw, "base64"), "+/\n", "-_")
    return func.rtrim(encoded, "=")


def timestamp(value: Any) -> ColumnElement[Any]:
    """``datetime.isoformat()`` of a UTC timestamp: microseconds only when there are any."""
    utc = func.timezone("UTC", value)
    seconds = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
    microseconds = func.to_char(utc, "US")
    fraction = case((microseconds != "000000", "." + microseconds), else_="")
    return case((value.is_(None), None), else_=seconds + fraction + "+00:00")


def float_json(value: Any) -> ColumnElement[Any]:
    """A double as Python writes it: whole numbers keep their ``.0``."""
    double: ColumnElement[float] = cast(value, Double())
    whole = cast(cast(double, String()) + ".0", JSON())
    return case((double == func.trunc(double), whole), else_=func.to_json(double))


def render(type_name: str, column: Column, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column's value of a ``type_name`` row as its declaration says it is written."""
    if column.render is Render.GLOBAL_ID:
        return global_id(type_name, value)
    if column.render is Render.TIMESTAMP:
        return timestamp(value)
    if column.render is Render.FLOAT:
        return float_json(value)
    if column.render is Render.ENUM:
        assert column.enum is not None
        return case({member.value: member.name for member in column.enum}, value=value)
    return value
