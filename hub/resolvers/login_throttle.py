"""Login throttling: exponential back-off, then a temporary lockout, per e-mail address and
per client address — the same for every server process (the counts are rows in PostgreSQL).

After ``free`` failed attempts on a subject (``HUB_LOGIN_ACCOUNT_FREE_FAILURES`` for an e-mail
address, ``HUB_LOGIN_ADDRESS_FREE_FAILURES`` for a client address) the next attempt must wait
``HUB_LOGIN_BACKOFF_SECONDS``, doubling with every further failure; from ``lockout`` failures
on the subject is locked for ``HUB_LOGIN_LOCKOUT_SECONDS``. A count restarts after
``HUB_LOGIN_FAILURE_WINDOW`` seconds without a failure; a successful login restarts its e-mail
address's count and gives back its client address's charge.

Each attempt is charged *before* its password is checked (counted as if it failed, under a
row lock): concurrent guesses, on one process or several, are decided one after the other, so
none slips through while another is still being checked. A refused attempt costs one
statement and no hashing, does not extend the wait, and is audited like every failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.repositories import login_throttle as repository
from hub.db.repositories.login_throttle import Count
from hub.settings import Settings
from hub.vocabulary import ThrottleSubject

Subjects = list[tuple[ThrottleSubject, str]]


@dataclass(frozen=True)
class Allowance:
    free: int  # failures before the first wait
    lockout: int  # failures that lock the subject


def allowance(settings: Settings, kind: ThrottleSubject) -> Allowance:
    if kind is ThrottleSubject.ACCOUNT:
        return Allowance(
            settings.login_account_free_failures, settings.login_account_lockout_failures
        )
    return Allowance(settings.login_address_free_failures, settings.login_address_lockout_failures)


def wait_after(settings: Settings, kind: ThrottleSubject, failures: int) -> float:
    """Seconds the next attempt waits after ``failures`` counted failures."""
    rule = allowance(settings, kind)
    if failures >= rule.lockout:
        return float(settings.login_lockout_seconds)
    if failures < rule.free:
        return 0.0
    backoff = settings.login_backoff_seconds * 2.0 ** (failures - rule.free)
    return min(backoff, float(settings.login_lockout_seconds))


def subjects(email: str, address: str | None) -> Subjects:
    """What one attempt is counted against (no client address: the e-mail address only)."""
    counted = [(ThrottleSubject.ACCOUNT, email.strip().lower()[:254])]
    if address is not None:
        counted.append((ThrottleSubject.ADDRESS, address))
    return counted


async def charge(session: AsyncSession, settings: Settings, counted: Subjects) -> int | None:
    """Count an attempt against every subject, or — when one of them must still wait — refuse
    it: the seconds to wait (nothing is counted then)."""
    counts = await repository.lock(session, counted)
    now = max(count.now for count in counts)  # once every row is locked
    waiting = max((count.blocked_until - now).total_seconds() for count in counts)
    if waiting > 0:
        return math.ceil(waiting)
    window = timedelta(seconds=settings.login_failure_window)
    for count in counts:
        failures = (count.failures if count.last_failure_at > now - window else 0) + 1
        await repository.store(
            session,
            count.kind,
            count.subject,
            failures=failures,
            blocked_until=now + timedelta(seconds=wait_after(settings, count.kind, failures)),
            failed_at=now,
        )
    return None


async def refund(session: AsyncSession, settings: Settings, counted: Subjects) -> None:
    """A successful attempt: its e-mail address starts afresh; its client address gets back
    the failure it was charged (other accounts' failures from there still count)."""
    for count in await repository.lock(session, counted):
        if count.kind is ThrottleSubject.ACCOUNT:
            await repository.forget(session, count.kind, count.subject)
        else:
            await _give_back(session, settings, count)


async def _give_back(session: AsyncSession, settings: Settings, count: Count) -> None:
    failures = max(count.failures - 1, 0)
    wait = timedelta(seconds=wait_after(settings, count.kind, failures))
    await repository.store(
        session,
        count.kind,
        count.subject,
        failures=failures,
        blocked_until=min(count.blocked_until, count.last_failure_at + wait),
    )
