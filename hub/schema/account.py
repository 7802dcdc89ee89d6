"""GraphQL ``Account`` and the authentication mutations (login, token refresh, logout,
password change), with ``me``."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.db.repositories import membership as memberships
from hub.resolvers import auth as resolvers
from hub.resolvers.auth import SignedIn
from hub.schema.agency import Agency, agency_or_none
from hub.schema.enums import MemberRole
from hub.schema.payloads import UserError, attempt


@strawberry.type(description="An account's role in an agency.")
class AgencyRole:
    role: MemberRole
    agency_id: strawberry.Private[int]

    @strawberry.field(description="The agency.")
    async def agency(self, info: Info[Context, None]) -> Agency:
        agency = await agency_or_none(info, self.agency_id)
        assert agency is not None  # enforced by a foreign key
        return agency


@strawberry.type(description="A person who logs in.")
class Account:
    id: strawberry.Private[int]
    email: str
    display_name: str
    is_platform_admin: bool

    @classmethod
    def from_row(cls, row: models.Account) -> Account:
        return cls(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            is_platform_admin=row.is_platform_admin,
        )

    @strawberry.field(description="The account's roles, by agency.")
    async def roles(self, info: Info[Context, None]) -> list[AgencyRole]:
        async with info.context.sessions() as session:
            rows = await memberships.list_for_account(session, account_id=self.id)
        return [AgencyRole(role=MemberRole(row.role), agency_id=row.agency_id) for row in rows]


@strawberry.type(
    description="Tokens of a login session. Send `Authorization: Bearer <accessToken>`."
)
class AuthPayload:
    account: Account | None
    access_token: str | None = strawberry.field(description="Short-lived signed token.")
    access_token_expires_at: datetime | None
    refresh_token: str | None = strawberry.field(
        description="Trade it once for new tokens (refreshToken); each use replaces it."
    )
    refresh_token_expires_at: datetime | None
    errors: list[UserError]

    @classmethod
    def build(cls, signed_in: SignedIn | None, errors: list[UserError]) -> AuthPayload:
        if signed_in is None:
            return cls(
                account=None,
                access_token=None,
                access_token_expires_at=None,
                refresh_token=None,
                refresh_token_expires_at=None,
                errors=errors,
            )
        return cls(
            account=Account.from_row(signed_in.account),
            access_token=signed_in.access_token,
            access_token_expires_at=signed_in.access_token_expires_at,
            refresh_token=signed_in.refresh_token,
            refresh_token_expires_at=signed_in.refresh_token_expires_at,
            errors=errors,
        )


@strawberry.type
class LogoutPayload:
    ok: bool
    errors: list[UserError]


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Log in with e-mail and password.")
    async def login(self, info: Info[Context, None], input: LoginInput) -> AuthPayload:
        return AuthPayload.build(
            *await attempt(
                resolvers.login(info.context, email=input.email, password=input.password)
            )
        )

    @strawberry.mutation(description="Trade a refresh token for new tokens (rotation).")
    async def refresh_token(
        self, info: Info[Context, None], input: RefreshTokenInput
    ) -> AuthPayload:
        return AuthPayload.build(
            *await attempt(resolvers.refresh(info.context, refresh_token=input.refresh_token))
        )

    @strawberry.mutation(description="End the current login session (all its tokens).")
    async def logout(self, info: Info[Context, None]) -> LogoutPayload:
        _, errors = await attempt(resolvers.logout(info.context))
        return LogoutPayload(ok=not errors, errors=errors)

    @strawberry.mutation(
        description="Change the password; ends every login session and opens a new one."
    )
    async def change_password(
        self, info: Info[Context, None], input: ChangePasswordInput
    ) -> AuthPayload:
        return AuthPayload.build(
            *await attempt(
                resolvers.change_password(
                    info.context,
                    current_password=input.current_password,
                    new_password=input.new_password,
                )
            )
        )


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The logged-in account; null for API keys and anonymous.")
    async def me(self, info: Info[Context, None]) -> Account | None:
        account_id = info.context.viewer.account_id
        if account_id is None:
            return None
        async with info.context.sessions() as session:
            row = await session.get(models.Account, account_id)
        return Account.from_row(row) if row else None
