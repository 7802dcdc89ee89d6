"""Connection arguments (``first/after``, ``last/before``) and opaque cursors.

Page sizes are capped (``Settings.max_page_size``); asking for more, for a negative count, or
for ``first`` and ``last`` together is an ``InvalidInput`` error. A cursor is the base64url
form of the ordering's name and the row's key values: it is opaque to clients, and a cursor of
another list or ordering is refused with a clear error instead of giving a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime

from hub.db.keyset import Key, KeyValue, Ordering, Page
from hub.errors import InvalidInput

DEFAULT_PAGE_SIZE = 20


def check_page_size(first: int, *, maximum: int, argument: str = "first") -> int:
    if first < 0:
        raise InvalidInput(f"`{argument}` must not be negative", field=argument)
    if first > maximum:
        raise InvalidInput(
            f"`{argument}` is {first}; at most {maximum} items per page are allowed",
            field=argument,
        )
    return first


def encode_cursor(ordering: Ordering, key: Key) -> str:
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    return cursor_of([ordering.name, *values])


def cursor_of(named_key: Sequence[object]) -> str:
    """The cursor of an ordering's name followed by a row's key values as JSON values
    (timestamps already in ISO form)."""
    raw = json.dumps(list(named_key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, ordering: Ordering, *, argument: str) -> Key:
    invalid = InvalidInput(f"`{argument}` is not a cursor of this list", field=argument)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, *values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid from None
    if name != ordering.name or len(values) != len(ordering.kinds):
        raise invalid
    try:
        return tuple(
            _decode_value(value, kind) for value, kind in zip(values, ordering.kinds, strict=True)
        )
    except (TypeError, ValueError):
        raise invalid from None


def _decode_value(value: object, kind: type) -> KeyValue:
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str) and type(value) is kind:
        return value
    raise TypeError(f"expected {kind.__name__}")


def page_from_arguments(
    ordering: Ordering,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    maximum: int,
) -> Page:
    """The page the connection arguments ask for (forward unless only ``last`` is given)."""
    if first is not None and last is not None:
        raise InvalidInput("give `first` or `last`, not both", field="last")
    after_key = decode_cursor(after, ordering, argument="after") if after is not None else None
    before_key = decode_cursor(before, ordering, argument="before") if before is not None else None
    if last is not None:
        limit = check_page_size(last, maximum=maximum, argument="last")
        return Page(limit=limit, forward=False, after=after_key, before=before_key)
    limit = check_page_size(
        first if first is not None else min(DEFAULT_PAGE_SIZE, maximum), maximum=maximum
    )
    return Page(limit=limit, forward=True, after=after_key, before=before_key)
