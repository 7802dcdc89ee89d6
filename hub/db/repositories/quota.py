"""The quota exchange: one statement adds a process's counts to the shared totals, hands its
leases back and grants new ones, and reads back what the process needs to decide on its own
until the next exchange.

For each key the process sends what it admitted since its last exchange (``requests``,
``cost``), the lease it held (returned), whether it wants a new one and the least it needs.
Under the row's lock the new lease is a share of what no one has used or holds,
``ceil(left / N)`` with ``N`` the processes alive, so the leases and the use of a key never add
up to more than its limit. The statement also records that the process is alive and returns
the totals of every other *hot* key of the minute (half of a limit used), so that a process
does not admit a hot key without a lease. ``clean_up`` drops past minutes and processes gone
quiet; ``leave`` takes a stopping process out at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, text
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db.models import QuotaCounter, QuotaProcess

ALIVE_SECONDS = 5  # a process that has not exchanged for this long no longer takes a share


@dataclass(frozen=True, slots=True)
class Delta:
    key: str
    requests: int  # admitted since the last exchange
    cost: int
    returned_requests: int  # the lease held until now
    returned_cost: int
    want: bool  # a new lease
    least_cost: int  # the least cost lease of use (a costly request is waiting for it)
    request_limit: int  # 0: no limit
    cost_limit: int


@dataclass(frozen=True, slots=True)
class Total:
    requests: int  # used this minute, all processes
    cost: int
    lease: tuple[int, int] | None  # granted to this process; None: another process's key
    hot: bool  # half of a limit used


@dataclass(frozen=True, slots=True)
class Exchanged:
    totals: dict[str, Total]
    processes: int  # alive, this one included


def _lease(used: str, others: str, limit: str, least: str) -> str:
    """The lease of one dimension: ``ceil(left / N)`` but at least ``least``, at most ``left``."""
    left = f"({limit} - ({used}) - ({others}))"
    return (
        f"(CASE WHEN {limit} > 0 AND d.want THEN greatest(0, least({left}, "
        f"greatest(ceil({left}::numeric / n.n)::bigint, {least}))) ELSE 0 END)"
    )


def _hot(requests: str, cost: str) -> str:
    return (
        f"((d.request_limit > 0 AND 2 * ({requests}) >= d.request_limit) "
        f"OR (d.cost_limit > 0 AND 2 * ({cost}) >= d.cost_limit))"
    )


# The same formulas for an existing row (c) and a new one (nothing used, nothing leased).
USED_REQUESTS, USED_COST = "c.requests + d.requests", "c.cost + d.cost"
OTHERS_REQUESTS = "greatest(0, c.reserved_requests - d.returned_requests)"
OTHERS_COST = "greatest(0, c.reserved_cost - d.returned_cost)"
LEASE_REQUESTS = _lease(USED_REQUESTS, OTHERS_REQUESTS, "d.request_limit", "1")
LEASE_COST = _lease(USED_COST, OTHERS_COST, "d.cost_limit", "d.least_cost")
NEW_LEASE_REQUESTS = _lease("d.requests", "0", "d.request_limit", "1")
NEW_LEASE_COST = _lease("d.cost", "0", "d.cost_limit", "d.least_cost")

EXCHANGE = text(
    f"""
WITH alive AS (
    INSERT INTO quota_processes (id, seen_at) VALUES (:process, now())
    ON CONFLICT (id) DO UPDATE SET seen_at = now()
), n AS (
    SELECT 1 + count(*) AS n FROM quota_processes
    WHERE id <> :process AND seen_at > now() - make_interval(secs => {ALIVE_SECONDS})
), d AS (
    SELECT * FROM unnest(
        CAST(:keys AS text[]), CAST(:requests AS bigint[]), CAST(:costs AS bigint[]),
        CAST(:returned_requests AS bigint[]), CAST(:returned_costs AS bigint[]),
        CAST(:wants AS boolean[]), CAST(:least_costs AS bigint[]),
        CAST(:request_limits AS bigint[]), CAST(:cost_limits AS bigint[])
    ) AS d(key, requests, cost, returned_requests, returned_cost, want, least_cost,
           request_limit, cost_limit)
), updated AS (
    UPDATE quota_counters AS c SET
        requests = {USED_REQUESTS},
        cost = {USED_COST},
        lease_requests = {LEASE_REQUESTS},
        lease_cost = {LEASE_COST},
        reserved_requests = {OTHERS_REQUESTS} + {LEASE_REQUESTS},
        reserved_cost = {OTHERS_COST} + {LEASE_COST},
        request_limit = d.request_limit,
        cost_limit = d.cost_limit,
        hot = {_hot(USED_REQUESTS, USED_COST)}
    FROM d, n
    WHERE c.minute = :minute AND c.key = d.key
    RETURNING c.key, c.requests, c.cost, c.lease_requests, c.lease_cost, c.hot
), inserted AS (
    -- Keys new this minute. Another process inserting the same key at the same moment wins;
    -- this one's counts then go with its next exchange.
    INSERT INTO quota_counters (
        minute, key, requests, cost, reserved_requests, reserved_cost, lease_requests,
        lease_cost, request_limit, cost_limit, hot
    )
    SELECT :minute, d.key, d.requests, d.cost, {NEW_LEASE_REQUESTS}, {NEW_LEASE_COST},
           {NEW_LEASE_REQUESTS}, {NEW_LEASE_COST}, d.request_limit, d.cost_limit,
           {_hot("d.requests", "d.cost")}
    FROM d, n
    WHERE NOT EXISTS (SELECT FROM updated WHERE updated.key = d.key)
    ON CONFLICT (minute, key) DO NOTHING
    RETURNING key, requests, cost, lease_requests, lease_cost, hot
)
SELECT key, requests, cost, lease_requests, lease_cost, hot FROM updated
UNION ALL
SELECT key, requests, cost, lease_requests, lease_cost, hot FROM inserted
UNION ALL
SELECT key, requests, cost, NULL, NULL, true FROM quota_counters
WHERE minute = :minute AND hot AND key <> ALL(CAST(:keys AS text[]))
UNION ALL
SELECT NULL, n, 0, NULL, NULL, false FROM n
"""  # noqa: S608 -- only constants are formatted in
)


async def exchange(
    connection: AsyncConnection, *, process: uuid.UUID, minute: int, deltas: Sequence[Delta]
) -> Exchanged:
    rows = await connection.execute(
        EXCHANGE,
        {
            "process": process,
            "minute": minute,
            "keys": [delta.key for delta in deltas],
            "requests": [delta.requests for delta in deltas],
            "costs": [delta.cost for delta in deltas],
            "returned_requests": [delta.returned_requests for delta in deltas],
            "returned_costs": [delta.returned_cost for delta in deltas],
            "wants": [delta.want for delta in deltas],
            "least_costs": [delta.least_cost for delta in deltas],
            "request_limits": [delta.request_limit for delta in deltas],
            "cost_limits": [delta.cost_limit for delta in deltas],
        },
    )
    totals: dict[str, Total] = {}
    processes = 1
    for key, requests, cost, lease_requests, lease_cost, hot in rows:
        if key is None:
            processes = requests
        else:
            lease = None if lease_requests is None else (lease_requests, lease_cost)
            totals[key] = Total(requests, cost, lease, hot)
    return Exchanged(totals, processes)


async def clean_up(connection: AsyncConnection, *, before_minute: int) -> None:
    await connection.execute(delete(QuotaCounter).where(QuotaCounter.minute < before_minute))
    await connection.execute(
        delete(QuotaProcess).where(
            QuotaProcess.seen_at < func.now() - text(f"interval '{ALIVE_SECONDS * 12} seconds'")
        )
    )


async def leave(connection: AsyncConnection, *, process: uuid.UUID) -> None:
    """A process stopping: the others take over its share at their next exchange."""
    await connection.execute(delete(QuotaProcess).where(QuotaProcess.id == process))
