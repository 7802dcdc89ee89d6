"""The process's broker: reads each committed outbox row once and fans it out.

``run`` waits for a wake-up (a notification, a listener reconnect) or the catch-up
interval, then reads every finished row after ``position`` in stream order, in batches.
Its followers (the response cache) are told of each batch before the fan-out, of each
completed read, and of each failed one.
For each batch it matches the rows against the registry, renders each (selection, row)
pair once — in one gateway call, so the rows' data is loaded once per batch whatever the
number of subscribers — and offers the payloads to the matching subscribers in order.
Rendering that fails unexpectedly (e.g. the database restarted) is retried without moving
on, so nothing is skipped; reading that fails is retried from the same position.
Subscribers that need a login pass each delivery through their authorization check, in a
task of their own, so a check never holds up the fan-out to everybody else.

A subscriber joining with a cursor behind the broker replays the gap from the outbox
(``_replay``) while live payloads past its target wait in its pending list; then it goes
live. Positions are global (the same order in every process), so a cursor from one process
resumes on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from hub.db.repositories import outbox
from hub.db.session import SessionFactory
from hub.errors import HubError
from hub.realtime.changes import Change
from hub.realtime.cursor import Position
from hub.realtime.frames import Rendered
from hub.realtime.gateway import Gateway, RenderFailed
from hub.realtime.listener import Listener
from hub.realtime.registry import Registry
from hub.realtime.subscriber import Subscriber
from hub.settings import Settings

logger = logging.getLogger("hub.realtime")

BATCH_SIZE = 500
STOP_TIMEOUT = 5.0  # seconds stop() waits for its tasks
RENDER_CACHE_SIZE = 4096
RENDER_RETRY_SECONDS = 30.0
NOTIFIED_WAIT_SECONDS = 10.0  # how long a notified id keeps the reader polling fast
FAST_POLL_FIRST = 0.01
READ_RETRY_LONGEST = 5.0
DATABASE_ERRORS = (OSError, TimeoutError, DBAPIError, InterfaceError, OperationalError)

Job = tuple[Hashable, Change]
INTERNAL_ERROR: dict[str, Any] = {
    "message": "Internal server error",
    "extensions": {"code": "INTERNAL"},
}


class Follower(Protocol):
    """Told of every change before its fan-out (e.g. the response cache, which drops what
    the change makes stale), and of whether the outbox is being followed."""

    def changed(self, changes: Sequence[Change]) -> None: ...

    def caught_up(self, position: Position) -> None: ...

    def interrupted(self) -> None: ...


@dataclass
class BrokerStats:
    changes_read: int = 0
    outbox_reads: int = 0
    renders: int = 0
    deliveries: int = 0
    replays: int = 0
    read_failures: int = 0
    render_retries: int = 0


class Broker:
    def __init__(
        self,
        *,
        settings: Settings,
        database_url: str,
        sessions: SessionFactory,
        gateway: Gateway,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.gateway = gateway
        self.registry = Registry()
        self.followers: list[Follower] = []
        self.stats = BrokerStats()
        self.position: Position = (0, 0)
        self.dispatching_upto: Position = (0, 0)
        self.listener = Listener(
            database_url,
            on_notify=self._notified,
            on_connected=self.wake,
            probe_interval=max(settings.live_catch_up_interval * 5, 5.0),
        )
        self._wake = asyncio.Event()
        self._awaited: dict[int, float] = {}  # notified ids not read yet -> when notified
        self._recent: OrderedDict[int, None] = OrderedDict()  # ids read lately
        self._cache: OrderedDict[tuple[Hashable, Position], Rendered] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._replays: set[asyncio.Task[None]] = set()
        self._gates: set[asyncio.Task[None]] = set()
        self.started = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen, then start from the current head: subscribers see changes from now on."""
        self._spawn(self.listener.run(), self._tasks)
        async with self.sessions() as session:
            self.position = await outbox.head_position(session)
        self.dispatching_upto = self.position
        for follower in self.followers:
            follower.caught_up(self.position)
        self._spawn(self._run(), self._tasks)
        self.started = True

    async def stop(self) -> None:
        """Cancel the broker's tasks and wait for them, but never forever: a cancellation can
        be lost in a race inside ``asyncio.wait_for`` (Python 3.11), so after
        ``STOP_TIMEOUT`` the remaining tasks are cancelled again and left behind."""
        tasks = (*self._tasks, *self._replays, *self._gates)
        for task in tasks:
            task.cancel()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
            for task in pending:
                logger.warning("live task %s did not stop in time; cancelled again", task)
                task.cancel()
        self.started = False

    def wake(self) -> None:
        self._wake.set()

    # -- subscribers -------------------------------------------------------------------------

    def join(self, subscriber: Subscriber, *, after: Position | None) -> None:
        """Register; with ``after`` behind the broker, replay the gap first."""
        upto = self.dispatching_upto
        self.registry.add(subscriber)
        if after is None or after >= upto:
            subscriber.position = after if after is not None else upto
            subscriber.live = True
            return
        subscriber.position = after
        subscriber.target = upto
        subscriber.pending = []
        self.stats.replays += 1
        self._spawn(self._replay(subscriber), self._replays)

    def leave(self, subscriber: Subscriber) -> None:
        if subscriber.active:
            subscriber.active = False
            subscriber.pending = None
            self.registry.remove(subscriber)

    # -- reading -----------------------------------------------------------------------------

    def _notified(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            row_id = int(payload)
            if row_id not in self._recent:
                self._awaited[row_id] = time.monotonic()
        self._wake.set()

    async def _run(self) -> None:
        fast_poll = FAST_POLL_FIRST
        read_retry = FAST_POLL_FIRST
        while True:
            timeout = self.settings.live_catch_up_interval
            if self._awaited:
                timeout = min(fast_poll, timeout)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            try:
                progressed = await self._catch_up()
            except DATABASE_ERRORS as error:
                self.stats.read_failures += 1
                for follower in self.followers:
                    follower.interrupted()
                logger.warning("reading the outbox failed (%s); retrying", error)
                await asyncio.sleep(read_retry)
                read_retry = min(read_retry * 2 + 0.1, READ_RETRY_LONGEST)
                self._wake.set()
                continue
            read_retry = FAST_POLL_FIRST
            for follower in self.followers:
                follower.caught_up(self.position)
            self._forget_stale_notifications()
            fast_poll = FAST_POLL_FIRST if progressed else min(fast_poll * 2, 1.0)

    async def _catch_up(self) -> bool:
        progressed = False
        while True:
            async with self.sessions() as session:
                rows = await outbox.read_committed(session, after=self.position, limit=BATCH_SIZE)
            self.stats.outbox_reads += 1
            if not rows:
                return progressed
            changes = [Change.from_row(row) for row in rows]
            await self._dispatch(changes)
            progressed = True
            for change in changes:
                self._remember(change.position[1])
            if len(rows) < BATCH_SIZE:
                return progressed

    def _remember(self, row_id: int) -> None:
        self._awaited.pop(row_id, None)
        self._recent[row_id] = None
        if len(self._recent) > 4 * BATCH_SIZE:
            self._recent.popitem(last=False)

    def _forget_stale_notifications(self) -> None:
        horizon = time.monotonic() - NOTIFIED_WAIT_SECONDS
        for row_id in [row_id for row_id, at in self._awaited.items() if at < horizon]:
            del self._awaited[row_id]

    # -- fan-out -----------------------------------------------------------------------------

    async def _dispatch(self, changes: list[Change]) -> None:
        self.dispatching_upto = changes[-1].position
        for follower in self.followers:
            follower.changed(changes)
        matched = [(change, self.registry.match(change)) for change in changes]
        jobs = {
            (subscriber.selection, change.position): (subscriber.selection, change)
            for change, subscribers in matched
            for subscriber in subscribers
        }
        payloads = await self._render(list(jobs.values()))
        for change, subscribers in matched:
            for subscriber in subscribers:
                self._offer(
                    subscriber, change.position, payloads[subscriber.selection, change.position]
                )
        self.position = changes[-1].position
        self.stats.changes_read += len(changes)

    def _offer(self, subscriber: Subscriber, position: Position, payload: Rendered) -> None:
        if not subscriber.active:
            return
        if subscriber.live:
            if position > subscriber.position:
                subscriber.position = position
                self._deliver(subscriber, payload)
        elif position > subscriber.target and subscriber.pending is not None:
            subscriber.pending.append((position, payload))
            if len(subscriber.pending) > self.settings.live_queue_size:
                subscriber.sink.fall_behind()

    def _deliver(self, subscriber: Subscriber, payload: Rendered) -> None:
        """Hand a payload over; one that needs an authorization check waits in its gate."""
        self.stats.deliveries += 1
        if subscriber.authorize is None:
            subscriber.sink.deliver(subscriber, payload)
        elif subscriber.gate is None:
            subscriber.gate = [payload]
            self._spawn(self._pass_gate(subscriber), self._gates)
        else:
            subscriber.gate.append(payload)
            if len(subscriber.gate) > self.settings.live_queue_size:
                subscriber.sink.fall_behind()

    async def _pass_gate(self, subscriber: Subscriber) -> None:
        """Check, then deliver what waited meanwhile, until nothing waits (one task per
        subscriber at most, so deliveries keep their order; the fan-out never waits)."""
        try:
            while subscriber.active and subscriber.gate:
                if not await self._permitted(subscriber):
                    return
                waiting, subscriber.gate = subscriber.gate, []
                for payload in waiting:
                    if subscriber.active:
                        subscriber.sink.deliver(subscriber, payload)
        finally:
            subscriber.gate = None

    async def _permitted(self, subscriber: Subscriber) -> bool:
        """Run the subscriber's authorization check; when it fails, end the subscription."""
        if subscriber.authorize is None:
            return True
        try:
            await subscriber.authorize()
        except HubError as error:
            self._end(subscriber, {"message": error.message, "extensions": {"code": error.code}})
            return False
        except Exception:
            logger.exception("authorization check for %r failed", subscriber)
            self._end(subscriber, INTERNAL_ERROR)
            return False
        return subscriber.active

    def _end(self, subscriber: Subscriber, error: dict[str, Any]) -> None:
        self.leave(subscriber)
        subscriber.sink.end(subscriber, [error])

    async def _render(self, jobs: Sequence[Job]) -> dict[tuple[Hashable, Position], Rendered]:
        found: dict[tuple[Hashable, Position], Rendered] = {}
        missing: list[Job] = []
        for selection, change in jobs:
            key = (selection, change.position)
            if (payload := self._cache.get(key)) is not None:
                found[key] = payload
            else:
                missing.append((selection, change))
        if not missing:
            return found
        deadline = time.monotonic() + RENDER_RETRY_SECONDS
        delay = 0.1
        while True:
            tolerate = time.monotonic() > deadline
            try:
                rendered = await self.gateway.render(missing, tolerate_errors=tolerate)
                break
            except (RenderFailed, *DATABASE_ERRORS) as error:
                self.stats.render_retries += 1
                logger.warning("rendering live payloads failed (%s); retrying", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, READ_RETRY_LONGEST)
        self.stats.renders += len(rendered)
        for key, payload in rendered.items():
            self._cache[key] = payload
        while len(self._cache) > RENDER_CACHE_SIZE:
            self._cache.popitem(last=False)
        return found | rendered

    # -- replay ------------------------------------------------------------------------------

    async def _replay(self, subscriber: Subscriber) -> None:
        try:
            await self._replay_gap(subscriber)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("replay for %r failed", subscriber)
            self._end(subscriber, INTERNAL_ERROR)
            return
        if not subscriber.active:
            return
        subscriber.position = max(subscriber.position, subscriber.target)
        pending, subscriber.pending = subscriber.pending or [], None
        subscriber.live = True
        for position, payload in pending:
            self._offer(subscriber, position, payload)

    async def _replay_gap(self, subscriber: Subscriber) -> None:
        cursor = subscriber.position
        while subscriber.active and cursor < subscriber.target:
            async with self.sessions() as session:
                rows = await outbox.read_committed(
                    session, after=cursor, upto=subscriber.target, limit=BATCH_SIZE
                )
            if not rows:
                return
            changes = [Change.from_row(row) for row in rows]
            cursor = changes[-1].position
            wanted = [change for change in changes if subscriber.filter.matches(change)]
            payloads = await self._render([(subscriber.selection, change) for change in wanted])
            for change in wanted:
                await subscriber.sink.writable()
                if not subscriber.active or not await self._permitted(subscriber):
                    return
                subscriber.position = change.position
                self.stats.deliveries += 1
                subscriber.sink.deliver(subscriber, payloads[subscriber.selection, change.position])

    # -- helpers -----------------------------------------------------------------------------

    def _spawn(self, coroutine: object, tasks: set[asyncio.Task[None]]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)  # type: ignore[arg-type]
        tasks.add(task)
        task.add_done_callback(tasks.discard)
