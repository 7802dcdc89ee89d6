"""Login sessions: open, rotate the refresh token atomically, revoke."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import AuthSession
from hub.db.repositories import clock


async def open_session(
    session: AsyncSession, *, session_id: str, account_id: int, refresh_hash: str, ttl: int
) -> AuthSession:
    row = AuthSession(
        id=uuid.UUID(session_id),
        account_id=account_id,
        refresh_token_hash=refresh_hash,
        expires_at=await _expiry(session, ttl),
    )
    session.add(row)
    await session.flush()
    return row


async def rotate(
    session: AsyncSession, *, session_id: str, old_hash: str, new_hash: str, ttl: int
) -> AuthSession | None:
    """Swap the refresh token of a live session if ``old_hash`` is its current one.

    One UPDATE: of two concurrent uses of one token, exactly one succeeds.
    """
    statement = (
        update(AuthSession)
        .where(
            AuthSession.id == uuid.UUID(session_id),
            AuthSession.refresh_token_hash == old_hash,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > func.now(),
        )
        .values(
            refresh_token_hash=new_hash,
            refreshed_at=func.now(),
            expires_at=await _expiry(session, ttl),
        )
        .returning(AuthSession)
    )
    return (await session.scalars(statement)).one_or_none()


async def get(session: AsyncSession, *, session_id: str) -> AuthSession | None:
    return await session.get(AuthSession, uuid.UUID(session_id))


async def revoke(session: AsyncSession, *, session_id: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == uuid.UUID(session_id), AuthSession.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def revoke_all(session: AsyncSession, *, account_id: int) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def _expiry(session: AsyncSession, ttl: int) -> datetime:
    return await clock.now(session) + timedelta(seconds=ttl)
