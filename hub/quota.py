"""Quotas: requests and query cost per minute for each anonymous client (by address), API key
and account — shared by every server process, without a database statement per request.

Windows are calendar minutes (Unix time // 60). Each process decides on its own, in memory;
every ``HUB_QUOTA_SYNC_INTERVAL`` seconds it exchanges with the database (one statement, on a
connection of its own: :mod:`hub.db.repositories.quota`): it reports what it admitted per key,
returns the *lease* it held and gets a new one for the keys still in use — a share of what no
process has used or holds, ``ceil(left / N)`` (``N``: the processes alive), granted under the
row's lock, so that leases and use never add up to more than a limit. A process admits a key's
requests against its lease. A key it holds no lease for (new here, or idle for an interval) is
admitted *provisionally*, up to ``ceil(L / 8N)`` per interval, unless the key is *hot* — half
its limit used: every exchange reports every hot key to every process — in which case the
request waits for a lease (429 with ``Retry-After: 1``). A request costlier than the lease is
refused the same way and the next lease is made large enough for it.

How far over a limit ``L`` a burst can get: only provisional admissions are not covered by
leases, and only while a key is cold as far as a process knows — so at most
``(N - 1) * ceil(L / 8N)`` requests (for two processes and 300 a minute: 19), and only when a
key turns hot between two exchanges of a process that then sees it for the first time. The
same bound holds for cost, plus one request's cost per process. Around a window's end, as with
any fixed window, a client may use one minute's quota just before and the next one's just
after. ``tests/security/test_abuse_processes.py`` measures it with two real processes.

The cost of a request is its operation's estimated cost, computed before execution
(:mod:`hub.schema.limits`: the nodes it can return); a request with nothing to estimate costs 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.auth import Viewer
from hub.db.repositories import login_throttle
from hub.db.repositories import quota as repository
from hub.settings import Settings

logger = logging.getLogger("hub.quota")

WINDOW_SECONDS = 60
MAX_KEYS = 100_000  # keys tracked per minute (memory bound); beyond, new keys pass unchecked
IDLE_HEARTBEAT_SECONDS = 1.0  # an idle process still tells the others it takes a share
CLEAN_UP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Rule:
    """Whose quota a request counts against, and its limits per minute (0: none)."""

    key: str
    requests: int
    cost: int


@dataclass(frozen=True, slots=True)
class QuotaDecision:
    """The decision on one request, with what to tell the client about its quota."""

    allowed: bool
    rule: Rule
    cost: int
    cost_used: int  # in this window, all processes as far as known, this request included
    requests_remaining: int
    cost_remaining: int
    reset_at: datetime
    resets_in: int  # seconds until the window ends
    retry_after: int  # when refused: seconds to wait


class Tally:
    """One key in one minute, as this process knows it."""

    __slots__ = (
        "hot",
        "lease_cost",
        "lease_requests",
        "leased",
        "least_cost",
        "limits",
        "minute",
        "refused",
        "spent_cost",
        "spent_requests",
        "used_cost",
        "used_requests",
    )

    def __init__(self, minute: int, limits: tuple[int, int] = (0, 0)) -> None:
        self.minute = minute
        self.limits = limits  # of the rule it counts for: (requests, cost)
        self.used_requests = 0  # all processes, as of the last exchange
        self.used_cost = 0
        self.leased = False  # holds a lease from the last exchange
        self.lease_requests = 0
        self.lease_cost = 0
        self.spent_requests = 0  # admitted here since the last exchange
        self.spent_cost = 0
        self.hot = False  # half of a limit used, as of the last exchange
        self.refused = False  # a request waits for a lease
        self.least_cost = 0  # the cost of the costliest request refused for want of lease

    @property
    def active(self) -> bool:
        return bool(self.spent_requests or self.spent_cost or self.refused)


def _fits(
    limit: int, used: int, lease: int, spent: int, wanted: int, tally: Tally, processes: int
) -> bool:
    """Whether ``wanted`` more of one dimension may be admitted here now."""
    if limit <= 0:
        return True
    if wanted > limit - used - spent:
        return False  # the quota itself is spent, as far as known
    if tally.leased:
        return spent + wanted <= lease
    if processes == 1:
        return True  # nobody else to share with
    if tally.hot:
        return False  # wait for a lease
    provisional = math.ceil(limit / (8 * processes))
    return spent + wanted <= provisional or spent == 0


class Quotas:
    """The process's ledger and its exchange with the other processes."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.limits = {  # per kind of principal: (requests, cost) per minute
            "address": (settings.quota_anonymous_requests, settings.quota_anonymous_cost),
            "api_key": (settings.quota_api_key_requests, settings.quota_api_key_cost),
            "account": (settings.quota_account_requests, settings.quota_account_cost),
        }
        self.process = uuid.uuid4()
        self.processes = 1
        self.tallies: dict[str, Tally] = {}
        self.exchanges = 0
        self._engine: AsyncEngine | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_exchange = 0.0
        self._last_clean_up = 0.0
        self._warned_full = False
        self._failing = False

    @property
    def enabled(self) -> bool:
        """Some quota is set (else there is nothing to exchange; clean-ups still run)."""
        return any(requests or cost for requests, cost in self.limits.values())

    # -- deciding --------------------------------------------------------------------------

    def rule_for(self, viewer: Viewer, address: str | None) -> Rule | None:
        """The quota a request counts against; ``None``: not limited."""
        if viewer.api_key_id is not None:
            kind, who = "api_key", str(viewer.api_key_id)
        elif viewer.account_id is not None:
            kind, who = "account", str(viewer.account_id)
        elif address is not None:
            kind, who = "address", address
        else:
            return None
        requests, cost = self.limits[kind]
        return Rule(f"{kind}:{who}", requests, cost) if requests or cost else None

    def admit(self, rule: Rule, cost: int) -> QuotaDecision:
        now = self.clock()
        minute = int(now // WINDOW_SECONDS)
        tally = self.tallies.get(rule.key)
        if tally is None or tally.minute != minute:
            if tally is None and len(self.tallies) >= MAX_KEYS:
                # So many clients in one minute that per-client limits say nothing any more:
                # memory stays bounded, the request is not counted.
                return self._untracked(rule, cost, now)
            tally = self.tallies[rule.key] = Tally(minute)
        tally.limits = (rule.requests, rule.cost)
        requests_fit = _fits(
            rule.requests, tally.used_requests, tally.lease_requests, tally.spent_requests, 1,
            tally, self.processes,
        )  # fmt: skip
        cost_fits = _fits(
            rule.cost, tally.used_cost, tally.lease_cost, tally.spent_cost, cost,
            tally, self.processes,
        )  # fmt: skip
        allowed = requests_fit and cost_fits
        if allowed:
            tally.spent_requests += 1
            tally.spent_cost += cost
        else:
            tally.refused = True
            tally.least_cost = max(tally.least_cost, cost)
        ends = (minute + 1) * WINDOW_SECONDS
        resets_in = max(1, math.ceil(ends - now))
        cost_used = tally.used_cost + tally.spent_cost
        requests_left = _left(rule.requests, tally.used_requests + tally.spent_requests)
        cost_left = _left(rule.cost, cost_used)
        spent = (rule.requests and requests_left < 1) or (rule.cost and cost_left < cost)
        return QuotaDecision(
            allowed=allowed,
            rule=rule,
            cost=cost,
            cost_used=cost_used,
            requests_remaining=requests_left,
            cost_remaining=cost_left,
            reset_at=datetime.fromtimestamp(ends, UTC),
            resets_in=resets_in,
            # Out of quota: until the window ends; waiting for a lease: the next exchange.
            retry_after=resets_in if spent else 1,
        )

    def _untracked(self, rule: Rule, cost: int, now: float) -> QuotaDecision:
        if not self._warned_full:
            logger.warning("quota: over %d clients this minute; new ones are not counted", MAX_KEYS)
            self._warned_full = True
        ends = (int(now // WINDOW_SECONDS) + 1) * WINDOW_SECONDS
        return QuotaDecision(
            allowed=True,
            rule=rule,
            cost=cost,
            cost_used=cost,
            requests_remaining=max(0, rule.requests - 1),
            cost_remaining=max(0, rule.cost - cost),
            reset_at=datetime.fromtimestamp(ends, UTC),
            resets_in=max(1, math.ceil(ends - now)),
            retry_after=1,
        )

    # -- sharing ---------------------------------------------------------------------------

    async def start(self, engine: AsyncEngine) -> None:
        """Join the other processes, then exchange every interval."""
        await self.join(engine)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def join(self, engine: AsyncEngine) -> None:
        """Exchange through ``engine`` (once now, so the first decisions know the others)."""
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        if self.enabled:
            with contextlib.suppress(Exception):
                await self.exchange()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._engine is not None and self.enabled:
            with contextlib.suppress(Exception):
                await self.exchange(final=True)  # report the last counts, hand leases back
                async with self._engine.connect() as connection:
                    await repository.leave(connection, process=self.process)

    async def _run(self) -> None:
        interval = self.settings.quota_sync_interval
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            busy = any(tally.active or tally.leased for tally in self.tallies.values())
            try:
                if self.enabled and (busy or now - self._last_exchange >= IDLE_HEARTBEAT_SECONDS):
                    await self.exchange()
                if now - self._last_clean_up >= CLEAN_UP_SECONDS:
                    await self.clean_up()
            except Exception as error:  # the database may be away: keep counting locally
                if not self._failing:
                    logger.warning("quota exchange failed (%s); counting locally", error)
                self._failing = True
            else:
                if self._failing:
                    logger.info("quota exchanges resumed")
                self._failing = False

    async def exchange(self, *, final: bool = False) -> None:
        """Report, return and renew leases (``final``: return them all); learn the hot keys
        and how many processes share."""
        assert self._engine is not None
        minute = int(self.clock() // WINDOW_SECONDS)
        for key in [key for key, tally in self.tallies.items() if tally.minute < minute]:
            del self.tallies[key]
        sent = [
            (key, tally, tally.spent_requests, tally.spent_cost, tally.active and not final)
            for key, tally in self.tallies.items()
            if tally.active or tally.leased
        ]
        deltas = [
            repository.Delta(
                key=key,
                requests=requests,
                cost=cost,
                returned_requests=tally.lease_requests if tally.leased else 0,
                returned_cost=tally.lease_cost if tally.leased else 0,
                want=want,
                least_cost=tally.least_cost,
                request_limit=tally.limits[0],
                cost_limit=tally.limits[1],
            )
            for key, tally, requests, cost, want in sent
        ]
        for _, tally, *_ in sent:
            tally.refused, tally.least_cost = False, 0  # asked for; a new refusal asks again
        async with self._engine.connect() as connection:
            result = await repository.exchange(
                connection, process=self.process, minute=minute, deltas=deltas
            )
        self._last_exchange = time.monotonic()
        self.exchanges += 1
        self.processes = result.processes
        for key, tally, requests, cost, want in sent:
            total = result.totals.get(key)
            if total is None or total.lease is None:
                tally.leased = False  # lost a race to create the row: counts go next time
                continue
            tally.spent_requests -= requests  # what arrived since stays to be reported
            tally.spent_cost -= cost
            tally.lease_requests, tally.lease_cost = total.lease
            tally.leased = want  # asked for a lease, and got one (perhaps 0: quota spent)
        for key in result.totals.keys() - self.tallies.keys():  # other processes' hot keys
            self.tallies[key] = Tally(minute)
        for key, tally in self.tallies.items():
            total = result.totals.get(key)
            tally.hot = total is not None and total.hot
            if total is not None:
                tally.used_requests, tally.used_cost = total.requests, total.cost

    async def clean_up(self) -> None:
        """Past minutes and silent processes; and, since this is the process's periodic
        maintenance of abuse control, restarted login counts and expired audit entries."""
        assert self._engine is not None
        self._last_clean_up = time.monotonic()
        minute = int(self.clock() // WINDOW_SECONDS)
        async with self._engine.connect() as connection:
            await repository.clean_up(connection, before_minute=minute - 1)
        async with AsyncSession(self._engine) as session, session.begin():
            now = datetime.now(UTC)
            await login_throttle.clean_up(
                session,
                counts_before=now - timedelta(seconds=self.settings.login_failure_window),
                log_before=now - timedelta(days=self.settings.login_audit_days),
            )


def _left(limit: int, used: int) -> int:
    return max(0, limit - used) if limit > 0 else 0
