"""Opaque global IDs (Relay): base64url of ``Type:key``; malformed IDs are clear errors."""

from __future__ import annotations

import base64
import binascii

from hub.errors import InvalidInput


def encode(type_name: str, key: object) -> str:
    raw = f"{type_name}:{key}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(global_id: str, *, argument: str = "id") -> tuple[str, str]:
    """``(type name, key)``; ``InvalidInput`` when ``global_id`` is not an ID of this API."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, ValueError):
        raw = ""
    type_name, _, key = raw.partition(":")
    if not type_name.isidentifier() or not key:
        raise InvalidInput(f"`{argument}` is not a valid ID: {global_id!r}", field=argument)
    return type_name, key


def decode_int(key: str, *, argument: str = "id") -> int | None:
    """The integer key of an ID, or ``None`` when it is not one (the object cannot exist)."""
    return int(key) if key.isdigit() and len(key) < 19 else None
