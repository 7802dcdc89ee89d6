"""Agency members: list (admins), add, change role, remove."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.resolvers import membership as resolvers
from hub.resolvers.membership import Member as MemberRow
from hub.schema.account import Account
from hub.schema.enums import MemberRole
from hub.schema.payloads import UserError, attempt


@strawberry.type(description="An account's membership of an agency.")
class Member:
    account: Account
    role: MemberRole

    @classmethod
    def from_row(cls, row: MemberRow) -> Member:
        return cls(account=Account.from_row(row.account), role=MemberRole(row.membership.role))


@strawberry.type
class MemberPayload:
    member: Member | None
    errors: list[UserError]


@strawberry.type
class RemoveMemberPayload:
    removed_email: str | None
    errors: list[UserError]


@strawberry.input(description="Add an account to an agency; an unknown e-mail creates it.")
class AddMemberInput:
    agency_slug: str
    email: str
    role: MemberRole
    display_name: str | None = strawberry.field(default=None, description="For a new account.")
    initial_password: str | None = strawberry.field(
        default=None, description="For a new account; its owner changes it after logging in."
    )


@strawberry.input
class ChangeMemberRoleInput:
    agency_slug: str
    email: str
    role: MemberRole


@strawberry.input
class RemoveMemberInput:
    agency_slug: str
    email: str


def _payload(row: MemberRow | None, errors: list[UserError]) -> MemberPayload:
    return MemberPayload(member=Member.from_row(row) if row else None, errors=errors)


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(description="Agency admins: give an account a role in the agency.")
    async def add_member(self, info: Info[Context, None], input: AddMemberInput) -> MemberPayload:
        return _payload(
            *await attempt(
                resolvers.add_member(
                    info.context,
                    agency_slug=input.agency_slug,
                    email=input.email,
                    role=input.role,
                    display_name=input.display_name,
                    initial_password=input.initial_password,
                )
            )
        )

    @strawberry.mutation(description="Agency admins: change a member's role.")
    async def change_member_role(
        self, info: Info[Context, None], input: ChangeMemberRoleInput
    ) -> MemberPayload:
        return _payload(
            *await attempt(
                resolvers.change_member_role(
                    info.context, agency_slug=input.agency_slug, email=input.email, role=input.role
                )
            )
        )

    @strawberry.mutation(description="Agency admins: remove a member (not the last admin).")
    async def remove_member(
        self, info: Info[Context, None], input: RemoveMemberInput
    ) -> RemoveMemberPayload:
        email, errors = await attempt(
            resolvers.remove_member(info.context, agency_slug=input.agency_slug, email=input.email)
        )
        return RemoveMemberPayload(removed_email=email, errors=errors)


@strawberry.type
class MembershipQuery:
    @strawberry.field(description="An agency's members (its admins and platform admins only).")
    async def agency_members(self, info: Info[Context, None], agency_slug: str) -> list[Member]:
        rows = await resolvers.list_members(info.context, agency_slug=agency_slug)
        return [Member.from_row(row) for row in rows]
