"""What the runner needs of a source: a stable name, and items from a saved position on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from hub.importing.records import ImportRecord

Position = dict[str, Any]  # a source's own cursor, saved as JSON


@dataclass(frozen=True)
class Item:
    """One thing read: a record, or why what was read cannot become one. After handling it,
    the runner saves ``position``: resuming from there starts after this item."""

    label: str
    position: Position
    record: ImportRecord | None = None
    problem: str | None = None


class Source(Protocol):
    @property
    def key(self) -> str:
        """Names the source for checkpoints, e.g. ``wordpress https://site.example/wp-json/``."""
        ...

    @property
    def title(self) -> str:
        """Names the source for the operator, e.g. ``WordPress https://site.example/wp-json/``."""
        ...

    @property
    def resumed_from(self) -> str | None:
        """Where the items began, when after a saved position (e.g. ``line 120``)."""
        ...

    @property
    def total(self) -> int | None:
        """How many items the run will see, once known (for the progress bar)."""
        ...

    def items(self, start: Position | None) -> AsyncIterator[Item]:
        """The items after ``start`` (from the beginning when None), in order."""
        ...
