"""Partner API keys: list, create (the key is returned once), revoke."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import api_key as resolvers
from hub.resolvers.api_key import NewApiKey
from hub.schema.payloads import UserError, attempt
from hub.vocabulary import ApiKeyScope

strawberry.enum(
    ApiKeyScope,
    description="What a key may do within its agency. READ_DRAFTS: read unpublished articles; "
    "SUBMIT_ARTICLES: write, submit and read drafts; WRITE_EVENTS: create and update events "
    "and people; IMPORT_ARTICLES: import articles published elsewhere (`importArticle`); "
    "INTROSPECT: introspect the schema in production (to generate clients).",
)


@strawberry.type(
    description="A partner agency's key for the API (the secret is never shown again)."
)
class ApiKey:
    prefix: str = strawberry.field(description="Public identifier, part of the key.")
    name: str
    scopes: list[ApiKeyScope]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    cost_budget: int | None = strawberry.field(
        description="The key's own budget per operation (query cost); null: the default for "
        "API keys."
    )

    @classmethod
    def from_row(cls, row: models.ApiKey) -> ApiKey:
        return cls(
            prefix=row.prefix,
            name=row.name,
            scopes=[ApiKeyScope(scope) for scope in row.scopes],
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            cost_budget=row.cost_budget,
        )


@strawberry.input
class CreateApiKeyInput:
    agency_slug: str
    name: str
    scopes: list[ApiKeyScope]
    expires_at: datetime | None = None
    cost_budget: int | None = strawberry.field(
        default=None,
        description="Budget per operation (query cost) for this key; null: the default for API "
        "keys. Above that default only platform admins may set it.",
    )


@strawberry.input
class RevokeApiKeyInput:
    prefix: str


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    key: str | None = strawberry.field(
        description="The key itself, shown only now: send it as `Authorization: Bearer <key>`."
    )
    errors: list[UserError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    errors: list[UserError]


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(description="Agency admins: create an API key for the agency.")
    async def create_api_key(
        self, info: Info[Context, None], input: CreateApiKeyInput
    ) -> CreateApiKeyPayload:
        created, errors = await attempt(
            resolvers.create_api_key(
                info.context,
                agency_slug=input.agency_slug,
                name=input.name,
                scopes=input.scopes,
                expires_at=input.expires_at,
                cost_budget=input.cost_budget,
            )
        )
        return _created(created, errors)

    @strawberry.mutation(description="Agency admins: revoke an API key (it stops working at once).")
    async def revoke_api_key(
        self, info: Info[Context, None], input: RevokeApiKeyInput
    ) -> ApiKeyPayload:
        row, errors = await attempt(resolvers.revoke_api_key(info.context, prefix=input.prefix))
        return ApiKeyPayload(api_key=ApiKey.from_row(row) if row else None, errors=errors)


def _created(created: NewApiKey | None, errors: list[UserError]) -> CreateApiKeyPayload:
    if created is None:
        return CreateApiKeyPayload(api_key=None, key=None, errors=errors)
    return CreateApiKeyPayload(api_key=ApiKey.from_row(created.row), key=created.key, errors=errors)


@strawberry.type
class ApiKeyQuery:
    @strawberry.field(description="An agency's API keys (its admins and platform admins only).")
    async def api_keys(self, info: Info[Context, None], agency_slug: str) -> list[ApiKey]:
        rows = await resolvers.list_api_keys(info.context, agency_slug=agency_slug)
        return [ApiKey.from_row(row) for row in rows]
