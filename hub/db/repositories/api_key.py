"""Partner API keys: find by public prefix, record use, list and revoke."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import ApiKey

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key (not on every request)."""


async def get_usable(session: AsyncSession, *, prefix: str) -> ApiKey | None:
    """The key with this prefix unless revoked or expired."""
    statement = select(ApiKey).where(
        ApiKey.prefix == prefix,
        ApiKey.revoked_at.is_(None),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now()),
    )
    return (await session.scalars(statement)).one_or_none()


async def record_use(session: AsyncSession, *, key_id: int) -> None:
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < func.now() - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=func.now())
    )


async def list_for_agency(session: AsyncSession, *, agency_id: int) -> list[ApiKey]:
    statement = (
        select(ApiKey).where(ApiKey.agency_id == agency_id).order_by(ApiKey.created_at, ApiKey.id)
    )
    return list((await session.scalars(statement)).all())


async def lock_by_prefix(session: AsyncSession, *, prefix: str) -> ApiKey | None:
    statement = select(ApiKey).where(ApiKey.prefix == prefix).with_for_update()
    return (await session.scalars(statement)).one_or_none()
