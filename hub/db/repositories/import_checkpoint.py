"""Read and save the position of an import in its source (one row per source and agency)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import ImportCheckpoint


async def get(session: AsyncSession, *, source: str, agency_id: int) -> dict[str, Any] | None:
    statement = select(ImportCheckpoint.position).where(
        ImportCheckpoint.source == source, ImportCheckpoint.agency_id == agency_id
    )
    return await session.scalar(statement)


async def save(
    session: AsyncSession, *, source: str, agency_id: int, position: dict[str, Any]
) -> None:
    statement = insert(ImportCheckpoint).values(
        source=source, agency_id=agency_id, position=position
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ImportCheckpoint.source, ImportCheckpoint.agency_id],
            set_={"position": statement.excluded.position, "updated_at": func.now()},
        )
    )


async def forget(session: AsyncSession, *, source: str, agency_id: int) -> None:
    await session.execute(
        delete(ImportCheckpoint).where(
            ImportCheckpoint.source == source, ImportCheckpoint.agency_id == agency_id
        )
    )
