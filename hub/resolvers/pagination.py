"""Page-size rules shared by every list field."""

from __future__ import annotations

from hub.errors import InvalidInput


def check_page_size(first: int, *, maximum: int, argument: str = "first") -> int:
    if first < 0:
        raise InvalidInput(f"`{argument}` must not be negative", field=argument)
    if first > maximum:
        raise InvalidInput(
            f"`{argument}` is {first}; at most {maximum} items per page are allowed",
            field=argument,
        )
    return first
