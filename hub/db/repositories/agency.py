"""Agency queries: look-ups, lists by name, conditions for filters and nested lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.keyset import Ordering
from hub.db.models import Agency, AgencyType
from hub.db.repositories.region import in_subtree

BY_NAME = Ordering("name", (Agency.name, Agency.id), False, (str, int))
TYPES_BY_CODE = Ordering("code", (AgencyType.code,), False, (str,))


def statement(*, type_code: str | None = None, region_code: str | None = None) -> Select[Any]:
    query = select(Agency)
    if type_code is not None:
        query = query.where(Agency.type_code == type_code)
    if region_code is not None:
        query = query.where(in_subtree(Agency.region_code, region_code))
    return query


async def get_by_slug(session: AsyncSession, *, slug: str) -> Agency | None:
    return (await session.scalars(select(Agency).where(Agency.slug == slug))).one_or_none()
