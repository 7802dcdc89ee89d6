"""Admission of new WebSockets: a bounded number of handshakes in progress at once.

A WebSocket's *handshake* runs from its HTTP upgrade to its first subscription (or its end,
or ``HUB_LIVE_CONNECTION_INIT_TIMEOUT`` seconds, whichever comes first): the work of
checking credentials and preparing the operation. At most ``HUB_LIVE_HANDSHAKES`` are in
progress; the others wait in arrival order, so a burst of reconnects — every client after a
restart — is taken in steadily while deliveries and health checks keep their turn, and
memory holds that many half-built connections, not the whole burst. One that waits longer
than ``HUB_LIVE_HANDSHAKE_WAIT`` is accepted and closed with 1013 (try again later) and a
reason naming when to come back (:func:`busy_reason`).
"""

from __future__ import annotations

import asyncio


class Turn:
    """One admitted handshake; ``release`` (any number of times) lets the next one in."""

    __slots__ = ("_admission", "_timer")

    def __init__(self, admission: Admission, hold_at_most: float) -> None:
        self._admission: Admission | None = admission
        self._timer = asyncio.get_running_loop().call_later(hold_at_most, self.release)

    def release(self) -> None:
        admission, self._admission = self._admission, None
        if admission is not None:
            self._timer.cancel()
            admission.release()


class Admission:
    def __init__(self, *, limit: int, wait: float, hold_at_most: float) -> None:
        self.limit = limit
        self.wait = wait
        self.hold_at_most = hold_at_most
        self._slots = asyncio.Semaphore(limit) if limit else None
        self.in_progress = 0
        self.waiting = 0
        self.refused = 0

    async def enter(self) -> Turn | None:
        """A turn, once one is free; ``None`` when none came within the wait."""
        if self._slots is not None:
            self.waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait)
            except TimeoutError:
                self.refused += 1
                return None
            finally:
                self.waiting -= 1
        self.in_progress += 1
        return Turn(self, self.hold_at_most)

    def release(self) -> None:
        self.in_progress -= 1
        if self._slots is not None:
            self._slots.release()


def busy_reason(delay: float) -> str:
    """The 1013 close reason for a WebSocket that found no turn."""
    return f"server busy: reconnect in {delay:.1f} s and resume from your last cursor"
