"""Memberships (an account's role in an agency)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Account, Membership
from hub.vocabulary import MemberRole


async def get(session: AsyncSession, *, agency_id: int, account_id: int) -> Membership | None:
    return await session.get(Membership, (account_id, agency_id))


async def count_admins(session: AsyncSession, *, agency_id: int) -> int:
    statement = select(func.count()).where(
        Membership.agency_id == agency_id, Membership.role == MemberRole.ADMIN.value
    )
    return int(await session.scalar(statement) or 0)


async def list_for_agency(
    session: AsyncSession, *, agency_id: int
) -> list[tuple[Membership, Account]]:
    statement = (
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.agency_id == agency_id)
        .order_by(func.lower(Account.email))
    )
    return [(membership, account) for membership, account in await session.execute(statement)]


async def list_for_account(session: AsyncSession, *, account_id: int) -> list[Membership]:
    statement = (
        select(Membership).where(Membership.account_id == account_id).order_by(Membership.agency_id)
    )
    return list((await session.scalars(statement)).all())
