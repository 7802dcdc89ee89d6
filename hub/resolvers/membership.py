"""Agency membership: admins add accounts (creating them when new), change roles, remove.

Changes to one agency's members are serialised by locking the agency row, so the rule
"an agency keeps at least one admin" holds under concurrent requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import credentials
from hub.auth import allows
from hub.db.models import Account, Agency, Membership
from hub.db.repositories import account as accounts
from hub.db.repositories import membership as repository
from hub.errors import ErrorCode, HubError, NotFound
from hub.resolvers.auth import check_password
from hub.resolvers.guard import require, require_account, telling_when_to_retry
from hub.resolvers.validation import Checker
from hub.vocabulary import MemberRole
from hub.workflow import Capability

if TYPE_CHECKING:
    from hub.context import Context

MAX_EMAIL = 254
MAX_DISPLAY_NAME = 200


@dataclass(frozen=True)
class Member:
    membership: Membership
    account: Account


async def administered_agency(ctx: Context, session: AsyncSession, slug: str) -> Agency:
    """The agency, locked, when the viewer administers it."""
    viewer = require_account(ctx)
    statement = select(Agency).where(Agency.slug == slug).with_for_update()
    agency = (await session.scalars(statement)).one_or_none()
    if agency is None:
        raise NotFound(f"no agency `{slug}`", field="agencySlug")
    require(
        allows(viewer, Capability.ADMINISTER, agency.id),
        f"only admins of {agency.slug} manage its members and API keys",
    )
    return agency


async def add_member(
    ctx: Context,
    *,
    agency_slug: str,
    email: str,
    role: MemberRole,
    display_name: str | None,
    initial_password: str | None,
) -> Member:
    """Give an account a role in the agency; a new e-mail creates the account."""
    async with ctx.sessions() as session, session.begin():
        agency = await administered_agency(ctx, session, agency_slug)
        account = await accounts.get_by_email(session, email=email)
        if account is None:
            account = await _new_account(ctx, session, email, display_name, initial_password)
        elif await repository.get(session, agency_id=agency.id, account_id=account.id):
            raise HubError(
                f"{account.email} is already a member of {agency.slug}",
                field="email",
                code=ErrorCode.DUPLICATE,
            )
        membership = Membership(account_id=account.id, agency_id=agency.id, role=role.value)
        session.add(membership)
        await session.flush()
        return Member(membership, account)


async def _new_account(
    ctx: Context,
    session: AsyncSession,
    email: str,
    display_name: str | None,
    initial_password: str | None,
) -> Account:
    check = Checker()
    cleaned_email = check.text("email", email, max_length=MAX_EMAIL, required=True)
    if cleaned_email is not None and not _looks_like_email(cleaned_email):
        check.add("email", "`email` is not an e-mail address", ErrorCode.INVALID_FORMAT)
    name = check.text("displayName", display_name, max_length=MAX_DISPLAY_NAME, required=True)
    if initial_password is None:
        check.add(
            "initialPassword",
            "a new account needs `initialPassword` (the person changes it after logging in)",
            ErrorCode.REQUIRED,
        )
    else:
        check_password(check, "initialPassword", initial_password, email=email)
    check.done()
    assert cleaned_email is not None
    assert name is not None
    assert initial_password is not None
    with telling_when_to_retry(ctx):
        password_hash = await credentials.hash_password(ctx.settings, initial_password)
    account = Account(email=cleaned_email, display_name=name, password_hash=password_hash)
    session.add(account)
    await session.flush()
    return account


def _looks_like_email(value: str) -> bool:
    local, _, domain = value.partition("@")
    return bool(local) and "." in domain and " " not in value and not domain.startswith(".")


async def _member(session: AsyncSession, agency: Agency, email: str) -> Member:
    account = await accounts.get_by_email(session, email=email)
    membership = (
        await repository.get(session, agency_id=agency.id, account_id=account.id)
        if account is not None
        else None
    )
    if account is None or membership is None:
        raise NotFound(f"{email} is not a member of {agency.slug}", field="email")
    return Member(membership, account)


async def _keep_an_admin(session: AsyncSession, agency: Agency, member: Member) -> None:
    if member.membership.role == MemberRole.ADMIN.value and (
        await repository.count_admins(session, agency_id=agency.id) <= 1
    ):
        raise HubError(
            f"{member.account.email} is the last admin of {agency.slug}; make another member "
            "admin first",
            field="email",
            code=ErrorCode.LAST_ADMIN,
        )


async def change_member_role(
    ctx: Context, *, agency_slug: str, email: str, role: MemberRole
) -> Member:
    async with ctx.sessions() as session, session.begin():
        agency = await administered_agency(ctx, session, agency_slug)
        member = await _member(session, agency, email)
        if role is not MemberRole.ADMIN:
            await _keep_an_admin(session, agency, member)
        member.membership.role = role.value
        await session.flush()
        return member


async def remove_member(ctx: Context, *, agency_slug: str, email: str) -> str:
    async with ctx.sessions() as session, session.begin():
        agency = await administered_agency(ctx, session, agency_slug)
        member = await _member(session, agency, email)
        await _keep_an_admin(session, agency, member)
        await session.delete(member.membership)
        return member.account.email


async def list_members(ctx: Context, *, agency_slug: str) -> list[Member]:
    async with ctx.sessions() as session:
        agency = await administered_agency(ctx, session, agency_slug)
        rows = await repository.list_for_agency(session, agency_id=agency.id)
    return [Member(membership, account) for membership, account in rows]
