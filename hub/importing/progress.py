"""A progress line on stderr for ``hub import`` (redrawn in place on a terminal)."""

from __future__ import annotations

import time
from typing import TextIO

from hub.importing.runner import Summary

WIDTH = 24  # characters of the bar
INTERVAL = 0.1  # seconds between redraws


class Progress:
    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._drawn = 0.0
        self._shown = False

    def __call__(self, summary: Summary, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._drawn < INTERVAL:
            return
        self._drawn = now
        self.stream.write("\r" + line(summary, total) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def close(self, summary: Summary, total: int | None) -> None:
        if self.enabled:
            self._drawn = 0.0
            self(summary, total)
            if self._shown:
                self.stream.write("\n")
                self.stream.flush()


def line(summary: Summary, total: int | None) -> str:
    """``[#####-------] 37/120  created 30  updated 2  skipped 3  failed 2``"""
    done = summary.read
    counts = (
        f"created {summary.created}  updated {summary.updated}  "
        f"skipped {summary.skipped}  failed {len(summary.failed)}"
    )
    if not total:
        return f"{done} read  {counts}"
    filled = min(WIDTH, WIDTH * done // total)
    return f"[{'#' * filled}{'-' * (WIDTH - filled)}] {done}/{total}  {counts}"
