"""Keeping Python's cyclic garbage collector from pausing deliveries.

A process holding thousands of WebSockets keeps millions of long-lived objects, and every
full (generation 2) collection walks all of them: about a second at 10,000 connections,
during which nothing is delivered. Every ``interval`` seconds the keeper collects what is
newer than the last freeze (every generation of it: cyclic garbage must not be frozen) and then
moves every object still alive out of the collector's sight (``gc.freeze``), so automatic
collections walk only what is newer than that.

Objects frozen while alive are not reclaimed by automatic collections if they later
become cyclic garbage (mostly the connections that close). So, now and then, the keeper
makes one full collection of everything: when as many connections have closed since the
last one as are open now (and at least ``RECLAIM_AFTER_CLOSED``), or ``RECLAIM_EVERY``
seconds after the last one. That pause is the one Python would make anyway, only rarer.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

RECLAIM_AFTER_CLOSED = 1000
RECLAIM_EVERY = 3600.0


class HeapKeeper:
    def __init__(self, interval: float, open_connections: Callable[[], int]) -> None:
        self.interval = interval
        self.open_connections = open_connections
        self.closed = 0  # connections closed since the last full collection
        self.reclaimed_at = time.monotonic()
        self.freezes = 0
        self.reclaims = 0

    def connection_closed(self) -> None:
        self.closed += 1

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.interval)
                self.step()
        finally:
            gc.unfreeze()  # everything back in sight: collected as usual from now on

    def step(self) -> None:
        due = time.monotonic() - self.reclaimed_at >= RECLAIM_EVERY
        if due or self.closed >= max(RECLAIM_AFTER_CLOSED, self.open_connections()):
            gc.unfreeze()
            gc.collect()
            self.closed = 0
            self.reclaimed_at = time.monotonic()
            self.reclaims += 1
        else:
            # Every generation, of what is not frozen (only what is newer than the last
            # freeze): garbage left in the oldest generation would otherwise be frozen with
            # the living, and stay until the next full collection.
            gc.collect()
        gc.freeze()
        self.freezes += 1
