"""Rendered results shared by every subscriber they go to, and WebSocket text frames.

A :class:`Rendered` holds one serialized GraphQL result (UTF-8 JSON) and, built on first
use, the complete outgoing message for each distinct *prefix* (the protocol message around
the payload: operation id and message type) — as a ready WebSocket frame for connections
that write frames themselves, as text for the others. Subscribers with the same operation
id and protocol therefore share one frame: per delivery nothing is encoded. ``position`` is
the change it renders (an event stream's ``id:``).
"""

from __future__ import annotations

import json
import struct

from hub.realtime.cursor import ORIGIN, Position

TEXT_FINAL = 0x81  # FIN + opcode 1 (text); server frames are never masked


def text_frame(message: bytes) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455 §5.2)."""
    length = len(message)
    if length < 126:
        header = bytes((TEXT_FINAL, length))
    elif length < 65536:
        header = struct.pack("!BBH", TEXT_FINAL, 126, length)
    else:
        header = struct.pack("!BBQ", TEXT_FINAL, 127, length)
    return header + message


def message_prefix(operation_id: str, kind: str) -> bytes:
    """``{"id":...,"type":...,"payload":`` — the message around a payload, minus ``}``."""
    return f'{{"id":{json.dumps(operation_id)},"type":"{kind}","payload":'.encode()


class Rendered:
    __slots__ = ("_frames", "_texts", "payload", "position")

    def __init__(self, payload: bytes, position: Position = ORIGIN) -> None:
        self.payload = payload
        self.position = position
        self._frames: dict[bytes, bytes] = {}
        self._texts: dict[bytes, str] = {}

    def frame(self, prefix: bytes) -> bytes:
        frame = self._frames.get(prefix)
        if frame is None:
            frame = self._frames[prefix] = text_frame(prefix + self.payload + b"}")
        return frame

    def text(self, prefix: bytes) -> str:
        text = self._texts.get(prefix)
        if text is None:
            text = self._texts[prefix] = (prefix + self.payload + b"}").decode()
        return text
