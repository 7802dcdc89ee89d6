"""Stream positions and the opaque cursors clients hold.

A position is ``(txid, id)`` of an outbox row: the writing transaction, then the row id.
Rows are read only below the oldest transaction still in flight
(``pg_snapshot_xmin(pg_current_snapshot())``), and the rows below that horizon are always a
prefix of ``(txid, id)`` order, so a reader that advances through that order never skips a
row that commits later. ``ORIGIN`` is before every row.

A cursor is the base64url form of ``"<txid>.<id>"``; ``decode`` rejects anything else.
"""

from __future__ import annotations

import base64
import binascii

Position = tuple[int, int]

ORIGIN: Position = (0, 0)


class InvalidCursor(ValueError):
    """Not a cursor this server issued."""


def encode(position: Position) -> str:
    txid, row_id = position
    return base64.urlsafe_b64encode(f"{txid}.{row_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> Position:
    if not cursor or len(cursor) > 64:
        raise InvalidCursor("not a cursor")
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        txid_text, id_text = text.split(".")
        position = (int(txid_text), int(id_text))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidCursor("not a cursor") from None
    if position[0] < 0 or position[1] < 0 or encode(position) != cursor:
        raise InvalidCursor("not a cursor")
    return position
