"""Failed-login counts (per e-mail address and per client address) and the audit log.

``lock`` returns the counts of the given subjects, created when missing, locked until the
transaction ends: concurrent attempts on the same subjects — from any server process — are
decided one after the other. The policy (how long to wait after how many failures) is the
caller's (``hub.resolvers.login_throttle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import LoginFailureEntry, LoginThrottle
from hub.vocabulary import LoginFailure, ThrottleSubject


@dataclass(frozen=True)
class Count:
    kind: ThrottleSubject
    subject: str
    failures: int
    last_failure_at: datetime
    blocked_until: datetime
    now: datetime  # the database's clock (every process shares it), once the row is locked


async def lock(
    session: AsyncSession, subjects: Sequence[tuple[ThrottleSubject, str]]
) -> list[Count]:
    """One statement: insert the missing rows, lock all (in key order: no deadlock between
    two attempts on the same pair), return them with the current time."""
    ordered = sorted(set(subjects))
    values = insert(LoginThrottle).values(
        [{"kind": kind.value, "subject": subject} for kind, subject in ordered]
    )
    statement = values.on_conflict_do_update(
        index_elements=[LoginThrottle.kind, LoginThrottle.subject],
        set_={"kind": values.excluded.kind},  # no change; locks and returns the row
    ).returning(
        LoginThrottle.kind,
        LoginThrottle.subject,
        LoginThrottle.failures,
        LoginThrottle.last_failure_at,
        LoginThrottle.blocked_until,
        # The time once the lock is held (now() is when the transaction began: an attempt that
        # began first but waited for the lock would see its predecessor's times in its future).
        func.clock_timestamp(),
    )
    rows = await session.execute(statement)
    return [
        Count(ThrottleSubject(kind), subject, failures, last, blocked, now)
        for kind, subject, failures, last, blocked, now in rows
    ]


async def store(
    session: AsyncSession,
    kind: ThrottleSubject,
    subject: str,
    *,
    failures: int,
    blocked_until: datetime,
    failed_at: datetime | None = None,
) -> None:
    values: dict[str, object] = {"failures": failures, "blocked_until": blocked_until}
    if failed_at is not None:
        values["last_failure_at"] = failed_at
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.kind == kind.value, LoginThrottle.subject == subject)
        .values(**values)
    )


async def forget(session: AsyncSession, kind: ThrottleSubject, subject: str) -> None:
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind == kind.value, LoginThrottle.subject == subject
        )
    )


async def log_failure(
    session: AsyncSession,
    *,
    email: str,
    account_id: int | None,
    address: str | None,
    reason: LoginFailure,
    wait_seconds: int | None = None,
) -> None:
    session.add(
        LoginFailureEntry(
            email=email[:254],
            account_id=account_id,
            address=address,
            reason=reason.value,
            wait_seconds=wait_seconds,
        )
    )
    await session.flush()


async def clean_up(session: AsyncSession, *, counts_before: datetime, log_before: datetime) -> None:
    """Drop counts that have restarted (no failure since ``counts_before``, no wait pending)
    and audit entries older than ``log_before``."""
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < counts_before,
            LoginThrottle.blocked_until < func.now(),
        )
    )
    await session.execute(delete(LoginFailureEntry).where(LoginFailureEntry.at < log_before))
