"""Accounts: lookup by e-mail, the roles a viewer holds, provincial review entitlements."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth import MEMBER_CAPABILITIES, ROLE_RANK
from hub.db.models import Account, Agency, AuthSession, Membership, Region
from hub.vocabulary import MemberRole
from hub.workflow import PROVINCIAL_REVIEWER_TYPE, Capability

REVIEW_ROLES = [
    role.value
    for role in MemberRole
    if ROLE_RANK[role] >= ROLE_RANK[MEMBER_CAPABILITIES[Capability.REVIEW]]
]


async def get_by_email(session: AsyncSession, *, email: str) -> Account | None:
    statement = select(Account).where(func.lower(Account.email) == email.strip().lower())
    return (await session.scalars(statement)).one_or_none()


async def get_signed_in(
    session: AsyncSession, *, account_id: int, session_id: str
) -> Account | None:
    """The active account of a live (unrevoked, unexpired) login session."""
    statement = (
        select(Account)
        .join(AuthSession, AuthSession.account_id == Account.id)
        .where(
            Account.id == account_id,
            Account.is_active,
            AuthSession.id == uuid.UUID(session_id),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > func.now(),
        )
    )
    return (await session.scalars(statement)).one_or_none()


async def roles(session: AsyncSession, *, account_id: int) -> dict[int, MemberRole]:
    rows = await session.execute(
        select(Membership.agency_id, Membership.role).where(Membership.account_id == account_id)
    )
    return {agency_id: MemberRole(role) for agency_id, role in rows}


async def review_agency_ids(session: AsyncSession, *, account_id: int) -> frozenset[int]:
    """Regency/city agencies asking for provincial review whose province's coordinating
    office counts the account among its editors."""
    coordinator = aliased(Agency)
    statement = (
        select(Agency.id)
        .join(Region, Region.code == Agency.region_code)
        .join(
            coordinator,
            (coordinator.region_code == Region.parent_code)
            & (coordinator.type_code == PROVINCIAL_REVIEWER_TYPE),
        )
        .join(Membership, Membership.agency_id == coordinator.id)
        .where(
            Agency.provincial_review,
            Membership.account_id == account_id,
            Membership.role.in_(REVIEW_ROLES),
        )
    )
    return frozenset((await session.scalars(statement)).all())
