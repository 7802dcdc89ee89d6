"""A JSON Lines file as an import source: one JSON record per line (``records.py``).

The position is the byte offset after the last line handled, with the SHA-256 of the bytes
before it: a run resumes there only when the file still starts with those bytes (lines
appended since are read; a rewritten file is read from the start). Blank lines are skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

from hub.importing.records import RecordError, record_from_json
from hub.importing.source import Item, Position


class JsonLinesSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.resumed_at: int | None = None  # the line a run resumed after, if it did
        self.title = str(path)
        self._total: int | None = None

    @property
    def key(self) -> str:
        return f"jsonl {self.path.resolve()}"

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def resumed_from(self) -> str | None:
        return f"after line {self.resumed_at}" if self.resumed_at is not None else None

    async def items(self, start: Position | None) -> AsyncIterator[Item]:
        with self.path.open("rb") as file:
            digest, offset, line = self._resume(file, start)
            self._total = sum(1 for raw in file if raw.strip())
            file.seek(offset)
            for raw in file:
                digest.update(raw)
                offset += len(raw)
                line += 1
                if not raw.strip():
                    continue
                position = {"offset": offset, "line": line, "digest": digest.hexdigest()}
                yield self._item(raw, f"line {line}", position)

    def _resume(self, file: BinaryIO, start: Position | None) -> tuple[Any, int, int]:
        """The running digest, offset and line number to continue from: the saved position
        when the file still begins with the bytes it was taken after, else the start."""
        digest = hashlib.sha256()
        if start is not None:
            offset = int(start.get("offset", -1))
            head = file.read(max(offset, 0))
            digest.update(head)
            if offset >= 0 and len(head) == offset and digest.hexdigest() == start.get("digest"):
                self.resumed_at = int(start["line"])
                return digest, offset, self.resumed_at
            digest = hashlib.sha256()
        file.seek(0)
        return digest, 0, 0

    @staticmethod
    def _item(raw: bytes, label: str, position: Position) -> Item:
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return Item(label, position, problem=f"not a JSON object: {error}")
        try:
            return Item(label, position, record=record_from_json(data, label=label))
        except RecordError as error:
            return Item(label, position, problem=str(error))
