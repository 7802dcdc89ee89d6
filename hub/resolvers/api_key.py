"""Partner API keys: an agency's admins create them (the key is shown once) and revoke them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hub import credentials
from hub.db.models import Agency, ApiKey
from hub.db.repositories import api_key as repository
from hub.db.repositories import clock
from hub.errors import ErrorCode, NotFound
from hub.resolvers.guard import require_account
from hub.resolvers.membership import administered_agency
from hub.resolvers.validation import Checker
from hub.vocabulary import ApiKeyScope

if TYPE_CHECKING:
    from hub.context import Context

MAX_NAME = 120


@dataclass(frozen=True)
class NewApiKey:
    row: ApiKey
    key: str  # the only time the secret is available


async def create_api_key(
    ctx: Context,
    *,
    agency_slug: str,
    name: str,
    scopes: list[ApiKeyScope],
    expires_at: datetime | None,
    cost_budget: int | None = None,
) -> NewApiKey:
    viewer = require_account(ctx)
    async with ctx.sessions() as session, session.begin():
        agency = await administered_agency(ctx, session, agency_slug)
        check = Checker()
        cleaned_name = check.text("name", name, max_length=MAX_NAME, required=True)
        if not scopes:
            check.add("scopes", "give the key at least one scope", ErrorCode.REQUIRED)
        if expires_at is not None and expires_at <= await clock.now(session):
            check.add("expiresAt", "`expiresAt` must be in the future", ErrorCode.INVALID_INPUT)
        if cost_budget is not None and cost_budget < 1:
            check.add("costBudget", "`costBudget` must be at least 1", ErrorCode.INVALID_INPUT)
        default_budget = ctx.settings.cost_budget_api_key
        if (
            cost_budget is not None
            and cost_budget > default_budget
            and not viewer.is_platform_admin
        ):
            check.add(
                "costBudget",
                f"only platform admins may give a key a budget above {default_budget}",
                ErrorCode.FORBIDDEN,
            )
        check.done()
        prefix, key, key_hash = credentials.new_api_key()
        row = ApiKey(
            agency_id=agency.id,
            name=cleaned_name,
            prefix=prefix,
            key_hash=key_hash,
            scopes=sorted({scope.value for scope in scopes}),
            created_by_id=viewer.account_id,
            expires_at=expires_at,
            cost_budget=cost_budget,
        )
        session.add(row)
        await session.flush()
        return NewApiKey(row, key)


async def revoke_api_key(ctx: Context, *, prefix: str) -> ApiKey:
    require_account(ctx)
    async with ctx.sessions() as session, session.begin():
        row = await repository.lock_by_prefix(session, prefix=prefix)
        if row is None:
            raise NotFound(f"no API key `{prefix}`", field="prefix")
        agency = await session.get(Agency, row.agency_id)
        assert agency is not None
        await administered_agency(ctx, session, agency.slug)
        if row.revoked_at is None:
            row.revoked_at = await clock.now(session)
        await session.flush()
        return row


async def list_api_keys(ctx: Context, *, agency_slug: str) -> list[ApiKey]:
    async with ctx.sessions() as session:
        agency = await administered_agency(ctx, session, agency_slug)
        return await repository.list_for_agency(session, agency_id=agency.id)
