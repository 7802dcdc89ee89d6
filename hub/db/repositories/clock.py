"""The database's clock: one time source for every timestamp a transaction writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def now(session: AsyncSession) -> datetime:
    """The transaction's start time (``now()``): equal for every call in one transaction."""
    value: datetime = (await session.execute(select(func.now()))).scalar_one()
    return value
