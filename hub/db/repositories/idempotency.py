"""Claim an idempotency key inside the creating transaction.

``claim`` inserts the key or, when it exists, returns the stored row. PostgreSQL makes a
conflicting INSERT wait until the transaction holding the key ends: if that one commits we
see its row (and its entity), if it rolls back our insert takes the key. So concurrent
retries create exactly one entity.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import IdempotencyKey


@dataclass(frozen=True)
class Claim:
    id: int
    fresh: bool  # this transaction took the key; False: an earlier request holds it
    request_hash: str
    entity_id: int | None


async def claim(
    session: AsyncSession, *, principal: str, operation: str, key: str, request_hash: str
) -> Claim:
    statement = (
        insert(IdempotencyKey)
        .values(principal=principal, operation=operation, key=key, request_hash=request_hash)
        .on_conflict_do_nothing(index_elements=["principal", "operation", "key"])
        .returning(IdempotencyKey.id)
    )
    new_id = (await session.execute(statement)).scalar_one_or_none()
    if new_id is not None:
        return Claim(id=new_id, fresh=True, request_hash=request_hash, entity_id=None)
    row = (
        await session.execute(
            select(IdempotencyKey.id, IdempotencyKey.request_hash, IdempotencyKey.entity_id).where(
                IdempotencyKey.principal == principal,
                IdempotencyKey.operation == operation,
                IdempotencyKey.key == key,
            )
        )
    ).one()
    return Claim(id=row.id, fresh=False, request_hash=row.request_hash, entity_id=row.entity_id)


async def complete(session: AsyncSession, *, claim_id: int, entity_id: int) -> None:
    await session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == claim_id).values(entity_id=entity_id)
    )
