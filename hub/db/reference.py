"""Reference data shipped with the package: regions, elections and their stages, agency types.

Sources and licences are in ``hub/data/*.SOURCE.md`` and ``hub/data/NOTES.md``. Loading is an
upsert that only touches rows whose values differ, so a second load changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import Table, and_, literal_column, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import AgencyType, Election, ElectionStage, Region


@dataclass(frozen=True)
class LoadResult:
    table: str
    inserted: int
    updated: int


def read_csv(name: str) -> list[dict[str, str]]:
    content = resources.files("hub.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(content, newline="")))


def region_rows() -> list[dict[str, Any]]:
    rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "parent_code": row["parent_code"] or None,
        }
        for row in read_csv("regions.csv")
    ]
    return sorted(rows, key=lambda row: (row["parent_code"] is not None, row["code"]))


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def election_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "voting_day": _day(row["voting_day"]),
            "legal_basis": row["legal_basis"],
        }
        for row in read_csv("elections.csv")
    ]


def election_stage_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": row["code"],
            "election_code": row["election"],
            "name": row["name"],
            "name_en": row["name_en"],
            "starts_on": _day(row["starts_on"]),
            "ends_on": _day(row["ends_on"]),
            "ordinal": int(row["ordinal"]),
            "legal_basis": row["legal_basis"],
        }
        for row in read_csv("election_stages_2024.csv")
    ]


def agency_type_rows() -> list[dict[str, Any]]:
    return [
        {key: row[key] or None for key in ("code", "name", "name_en", "description", "source")}
        for row in read_csv("agency_types.csv")
    ]


async def upsert(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], *, editable: bool = False
) -> LoadResult:
    """Insert missing rows and update rows whose values changed; leave equal rows alone.

    ``editable`` tables are also edited through the API (their ``edited_at`` and ``version``
    columns): rows edited there are left as they are, the others get a new version."""
    key = [column.name for column in table.primary_key.columns]
    values = [name for name in rows[0] if name not in key]
    base = insert(table).values(rows)
    changed = or_(*(table.c[name].is_distinct_from(base.excluded[name]) for name in values))
    updates: dict[str, Any] = {name: base.excluded[name] for name in values}
    if editable:
        changed = and_(table.c.edited_at.is_(None), changed)
        updates["version"] = table.c.version + 1
    statement = base.on_conflict_do_update(index_elements=key, set_=updates, where=changed)
    # xmax = 0 marks a freshly inserted row; an updated row carries the updater's xid.
    flags: Sequence[bool] = (
        (await session.execute(statement.returning(literal_column("(xmax = 0)")))).scalars().all()
    )
    inserted = sum(1 for flag in flags if flag)
    return LoadResult(table.name, inserted, len(flags) - inserted)


async def load_reference_data(session: AsyncSession) -> list[LoadResult]:
    """Load every reference table in dependency order. The caller commits."""
    return [
        await upsert(session, AgencyType.__table__, agency_type_rows(), editable=True),  # type: ignore[arg-type]
        await upsert(session, Region.__table__, region_rows()),  # type: ignore[arg-type]
        await upsert(session, Election.__table__, election_rows()),  # type: ignore[arg-type]
        await upsert(session, ElectionStage.__table__, election_stage_rows()),  # type: ignore[arg-type]
    ]
