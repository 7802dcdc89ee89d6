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

A subscriber joining with a cursor behind the broker catches up while live payloads past
its target wait in its pending list; then it goes live. When the broker's recent-history
window (:mod:`hub.realtime.history`) covers the cursor — after a restart, every client's —
the gap comes from memory: subscribers joining with the same (cursor, target, selection,
filter) form one *catch-up group*, matched once and rendered once (``_catch_up_group``), and
each member gets the ready payloads with no SQL and no task of its own; when every payload
of a gap is rendered already, the subscriber takes it at once, without a group. Older cursors
replay from the outbox (``_replay``). Rendering is shared too: a (selection, change) being
rendered is awaited by whoever else needs it, never rendered twice at once. Catching up
never holds up the fan-out of new changes to subscribers already live.
Positions are global (the same order in every process), so a cursor from one process
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
from hub.realtime.cursor import ORIGIN, Position
from hub.realtime.filters import Filter
from hub.realtime.frames import Rendered
from hub.realtime.gateway import Gateway, RenderFailed
from hub.realtime.history import History, history_for
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
RenderKey = tuple[Hashable, Position]
Gap = list[tuple[Position, Rendered]]  # a subscriber's missed payloads, in order
GroupKey = tuple[Position, Position, Hashable, Filter]  # cursor, target, selection, filter
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
    catch_up_groups: int = 0
    outbox_replays: int = 0
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
        history: History | None = None,
    ) -> None:
        self.settings = settings
        self.history = history if history is not None else history_for(settings)
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
        self._cache: OrderedDict[RenderKey, Rendered] = OrderedDict()
        self._rendering: dict[RenderKey, asyncio.Future[Rendered]] = {}
        self._groups: dict[GroupKey, list[Subscriber]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._replays: set[asyncio.Task[None]] = set()
        self._gates: set[asyncio.Task[None]] = set()
        self.started = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen, then start from the current head (subscribers see changes from now on),
        with the newest changes before it in the history window."""
        self._spawn(self.listener.run(), self._tasks)
        size = self.history.size
        async with self.sessions() as session:
            rows = await outbox.read_latest(session, limit=size + 1)
        changes = [Change.from_row(row) for row in reversed(rows)]
        self.position = changes[-1].position if changes else ORIGIN
        floor = changes[0].position if len(changes) > size else ORIGIN
        self.history.fill(changes[-size:] if size else [], floor=floor, upto=self.position)
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
        if not self.history.covers(after):
            self.stats.outbox_replays += 1
            self._spawn(self._replay(subscriber), self._replays)
            return
        key = (after, upto, subscriber.selection, subscriber.filter)
        group = self._groups.get(key)
        if group is not None:
            group.append(subscriber)
            return
        wanted = [c for c in self.history.since(after, upto) if subscriber.filter.matches(c)]
        gap = self._rendered(subscriber.selection, wanted)
        if gap is not None and self._take_at_once(subscriber, gap):
            return  # nothing to wait for: no task, no group
        self._groups[key] = [subscriber]
        self.stats.catch_up_groups += 1
        self._spawn(self._catch_up_group(key, wanted), self._replays)

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
        self.history.extend(changes)
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

    async def _render(self, jobs: Sequence[Job]) -> dict[RenderKey, Rendered]:
        """Each job's payload: from the cache, from a rendering already under way, or
        rendered now (in one gateway call for all that are missing)."""
        found: dict[RenderKey, Rendered] = {}
        elsewhere: dict[RenderKey, asyncio.Future[Rendered]] = {}
        missing: list[Job] = []
        for selection, change in jobs:
            key = (selection, change.position)
            if (payload := self._cache.get(key)) is not None:
                found[key] = payload
            elif (future := self._rendering.get(key)) is not None:
                elsewhere[key] = future
            elif key not in found:
                missing.append((selection, change))
        if missing:
            found |= await self._render_missing(missing)
        for key, future in elsewhere.items():
            found[key] = await asyncio.shield(future)
        return found

    async def _render_missing(self, missing: list[Job]) -> dict[RenderKey, Rendered]:
        loop = asyncio.get_running_loop()
        futures = {
            (selection, change.position): loop.create_future() for selection, change in missing
        }
        self._rendering |= futures
        try:
            rendered = await self._render_retrying(missing)
        except BaseException as error:
            for future in futures.values():
                future.set_exception(error)
                future.exception()  # retrieved: whoever waits on it gets the error
            raise
        finally:
            for key in futures:
                self._rendering.pop(key, None)
        for key, future in futures.items():
            future.set_result(rendered[key])
        return rendered

    async def _render_retrying(self, missing: Sequence[Job]) -> dict[RenderKey, Rendered]:
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
        return rendered

    # -- replay ------------------------------------------------------------------------------

    async def _catch_up_group(self, key: GroupKey, wanted: list[Change]) -> None:
        """Render the group's gap once, then hand it to every member; members that can
        take it at once (no authorization check, room in the queue) go live right away."""
        selection = key[2]
        try:
            payloads = await self._render([(selection, change) for change in wanted])
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("catching up %d subscribers failed", len(self._groups.get(key, ())))
            for subscriber in self._groups.pop(key, []):
                self._end(subscriber, INTERNAL_ERROR)
            return
        gap = [(change.position, payloads[selection, change.position]) for change in wanted]
        for subscriber in self._groups.pop(key, []):
            if subscriber.active and not self._take_at_once(subscriber, gap):
                self._spawn(self._replay(subscriber, gap), self._replays)

    def _rendered(self, selection: Hashable, wanted: list[Change]) -> Gap | None:
        """The gap's payloads when all are rendered already."""
        gap = []
        for change in wanted:
            payload = self._cache.get((selection, change.position))
            if payload is None:
                return None
            gap.append((change.position, payload))
        return gap

    def _take_at_once(self, subscriber: Subscriber, gap: Gap) -> bool:
        """Deliver the whole gap now and go live, when the subscriber needs no check and
        its connection has room for it; False (nothing done) otherwise."""
        if subscriber.authorize is not None or len(gap) > subscriber.sink.room():
            return False
        for position, payload in gap:
            subscriber.position = position
            self.stats.deliveries += 1
            subscriber.sink.deliver(subscriber, payload)
        self._go_live(subscriber)
        return True

    async def _replay(self, subscriber: Subscriber, gap: Gap | None = None) -> None:
        """Deliver the gap (read from the outbox when not given) at the pace the
        connection takes it, then go live."""
        try:
            if gap is None:
                await self._replay_gap(subscriber)
            else:
                await self._replay_payloads(subscriber, gap)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("replay for %r failed", subscriber)
            self._end(subscriber, INTERNAL_ERROR)
            return
        if subscriber.active:
            self._go_live(subscriber)

    def _go_live(self, subscriber: Subscriber) -> None:
        """The gap is delivered: what arrived meanwhile follows, in order."""
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
            gap = [(c.position, payloads[subscriber.selection, c.position]) for c in wanted]
            if not await self._replay_payloads(subscriber, gap):
                return

    async def _replay_payloads(self, subscriber: Subscriber, gap: Gap) -> bool:
        """Deliver as the queue makes room, each passing the authorization check; False
        when the subscription ended meanwhile."""
        for position, payload in gap:
            await subscriber.sink.writable()
            if not subscriber.active or not await self._permitted(subscriber):
                return False
            subscriber.position = position
            self.stats.deliveries += 1
            subscriber.sink.deliver(subscriber, payload)
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _spawn(self, coroutine: object, tasks: set[asyncio.Task[None]]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)  # type: ignore[arg-type]
        tasks.add(task)
        task.add_done_callback(tasks.discard)
