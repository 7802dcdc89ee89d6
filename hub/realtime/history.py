"""The broker's recent-history window: the latest changes read, kept in memory.

Every change the broker reads is appended here in stream order, and the window keeps the
newest ``size`` of them no older than ``seconds``. It *covers* the positions from
``floor`` (the last change it let go of, or the origin) up to ``upto`` (the broker's
newest): every committed change in between is in it. So a subscriber resuming from a
cursor it covers — what every client does after a restart — catches up from memory, with
no SQL, and the cursor itself is known to be one this service issued and still within
retention (``vouches_for``), again with no SQL. At start the broker fills the window from
the outbox with one statement (``fill``).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Sequence

from hub.realtime.changes import Change
from hub.realtime.cursor import ORIGIN, Position
from hub.settings import Settings

COMPACT_AFTER = 1024  # dropped entries kept at the head of the lists before compacting


class History:
    def __init__(self, *, size: int, seconds: float) -> None:
        self.size = size
        self.seconds = seconds
        self.floor: Position | None = None  # None: covers nothing (not filled yet, or off)
        self.upto: Position = ORIGIN
        self._changes: list[Change] = []
        self._positions: list[Position] = []
        self._start = 0  # entries before it were let go of

    def __len__(self) -> int:
        return len(self._positions) - self._start

    def fill(self, changes: Sequence[Change], *, floor: Position, upto: Position) -> None:
        """Start over with ``changes``: every committed change after ``floor`` up to
        ``upto``, in stream order."""
        self._changes = list(changes)
        self._positions = [change.position for change in changes]
        self._start = 0
        self.floor = floor if self.size > 0 else None
        self.upto = upto
        self._trim()

    def extend(self, changes: Sequence[Change]) -> None:
        """The broker read ``changes``, the next ones after ``upto`` (any it had already
        are left out: a batch read again after a failure is not kept twice)."""
        if changes and changes[0].position <= self.upto:
            changes = [change for change in changes if change.position > self.upto]
        if not changes:
            return
        self.upto = changes[-1].position
        if self.floor is None:
            return
        self._changes.extend(changes)
        self._positions.extend(change.position for change in changes)
        self._trim()

    def covers(self, position: Position) -> bool:
        """Every change after ``position`` up to ``upto`` is here."""
        self._trim()
        return self.floor is not None and self.floor <= position <= self.upto

    def vouches_for(self, position: Position) -> bool:
        """``position`` is the floor or a change in the window: a cursor this service
        issued, young enough to resume from."""
        if not self.covers(position):
            return False
        if position == self.floor:
            return True
        index = bisect_right(self._positions, position, lo=self._start) - 1
        return index >= self._start and self._positions[index] == position

    def since(self, after: Position, upto: Position) -> list[Change]:
        """The changes after ``after`` up to ``upto`` (both covered), in stream order."""
        first = bisect_right(self._positions, after, lo=self._start)
        last = bisect_right(self._positions, upto, lo=first)
        return self._changes[first:last]

    def _trim(self) -> None:
        """Let go of the oldest changes beyond the size or the age."""
        if self.floor is None:
            return
        oldest_kept = time.time() - self.seconds
        start, end = self._start, len(self._positions)
        while start < end and (
            end - start > self.size or self._changes[start].created_at.timestamp() < oldest_kept
        ):
            start += 1
        if start == self._start:
            return
        self.floor = self._positions[start - 1]
        if start >= COMPACT_AFTER and start * 2 >= end:
            del self._changes[:start], self._positions[:start]
            start = 0
        self._start = start


def history_for(settings: Settings) -> History:
    """The window the settings ask for (never older than the retention)."""
    seconds = min(settings.live_history_seconds, settings.live_retention.total_seconds())
    return History(size=settings.live_history_size, seconds=seconds)
