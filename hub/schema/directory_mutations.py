"""Mutations of the shared directory: people, tags, agencies, agency types."""

from __future__ import annotations

import strawberry
from strawberry import Maybe
from strawberry.types import Info

from hub.context import Context
from hub.db import models
from hub.resolvers import directory_write as resolvers
from hub.schema.agency import Agency
from hub.schema.inputs import PROSE
from hub.schema.payloads import (
    UserError,
    all_fields,
    attempt,
    given_fields,
    unchanged_on_null,
)
from hub.schema.person import Person
from hub.schema.taxonomy import AgencyType, Tag


@strawberry.input
class CreatePersonInput:
    name: str
    position: str | None = None
    agency_slug: str | None = strawberry.field(default=None, description="Where they work.")
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    idempotency_key: str | None = None


@strawberry.input
class UpdatePersonInput:
    slug: str
    version: int
    name: Maybe[str | None] = unchanged_on_null()
    position: Maybe[str | None]
    agency_slug: Maybe[str | None]


@strawberry.input
class CreateTagInput:
    label: str
    slug: str | None = strawberry.field(default=None, description="Default: from the label.")
    idempotency_key: str | None = None


@strawberry.input
class CreateAgencyInput:
    slug: str
    name: str
    type_code: str
    acronym: str | None = None
    region_code: str | None = None
    parent_slug: str | None = None
    website: str | None = None
    provincial_review: bool = False
    idempotency_key: str | None = None


@strawberry.input(description="An agency's profile; fields left out stay as they are.")
class UpdateAgencyInput:
    slug: str
    version: int
    name: Maybe[str | None] = unchanged_on_null()
    acronym: Maybe[str | None]
    website: Maybe[str | None]
    provincial_review: Maybe[bool | None] = unchanged_on_null(
        "Ask the province's Diskominfo editors to review submissions too."
    )


@strawberry.input(description="A new kind of agency.")
class CreateAgencyTypeInput:
    code: str = strawberry.field(
        description="Stable code: lower-case words joined by underscores, e.g. `humas_polres`."
    )
    name: str = strawberry.field(description="Indonesian name.")
    name_en: str = strawberry.field(description="English name.")
    description: str = strawberry.field(
        description="What agencies of this type do.", directives=[PROSE]
    )
    source: str | None = strawberry.field(
        default=None, description="Where it is attested.", directives=[PROSE]
    )


@strawberry.input(description="Changes to an agency type; fields left out stay as they are.")
class UpdateAgencyTypeInput:
    code: str
    version: int = strawberry.field(description="The version the changes were made to.")
    name: Maybe[str | None] = unchanged_on_null()
    name_en: Maybe[str | None] = unchanged_on_null()
    description: Maybe[str | None] = unchanged_on_null(directives=[PROSE])
    source: Maybe[str | None] = strawberry.field(directives=[PROSE])


@strawberry.type
class PersonPayload:
    person: Person | None
    errors: list[UserError]


@strawberry.type
class TagPayload:
    tag: Tag | None
    errors: list[UserError]


@strawberry.type
class AgencyPayload:
    agency: Agency | None
    errors: list[UserError]


@strawberry.type
class AgencyTypePayload:
    agency_type: AgencyType | None
    errors: list[UserError]


def _agency_type(row: models.AgencyType | None, errors: list[UserError]) -> AgencyTypePayload:
    return AgencyTypePayload(agency_type=AgencyType.from_row(row) if row else None, errors=errors)


def _person(row: models.Person | None, errors: list[UserError]) -> PersonPayload:
    return PersonPayload(person=Person.from_row(row) if row else None, errors=errors)


def _agency(row: models.Agency | None, errors: list[UserError]) -> AgencyPayload:
    return AgencyPayload(agency=Agency.from_row(row) if row else None, errors=errors)


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(description="Agency members: add a person (speaker or source).")
    async def create_person(
        self, info: Info[Context, None], input: CreatePersonInput
    ) -> PersonPayload:
        return _person(
            *await attempt(
                resolvers.create_person(
                    info.context,
                    fields=all_fields(input, skip=("idempotency_key",)),
                    idempotency_key=input.idempotency_key,
                )
            )
        )

    @strawberry.mutation(description="Editors of the person's agency: update a person.")
    async def update_person(
        self, info: Info[Context, None], input: UpdatePersonInput
    ) -> PersonPayload:
        return _person(
            *await attempt(
                resolvers.update_person(
                    info.context,
                    slug=input.slug,
                    version=input.version,
                    changes=given_fields(input, skip=("slug", "version")),
                )
            )
        )

    @strawberry.mutation(description="Agency members: add a tag.")
    async def create_tag(self, info: Info[Context, None], input: CreateTagInput) -> TagPayload:
        row, errors = await attempt(
            resolvers.create_tag(
                info.context,
                fields=all_fields(input, skip=("idempotency_key",)),
                idempotency_key=input.idempotency_key,
            )
        )
        return TagPayload(tag=Tag.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="Platform admins: add an agency.")
    async def create_agency(
        self, info: Info[Context, None], input: CreateAgencyInput
    ) -> AgencyPayload:
        return _agency(
            *await attempt(
                resolvers.create_agency(
                    info.context,
                    fields=all_fields(input, skip=("idempotency_key",)),
                    idempotency_key=input.idempotency_key,
                )
            )
        )

    @strawberry.mutation(description="Agency admins: update the agency's profile.")
    async def update_agency(
        self, info: Info[Context, None], input: UpdateAgencyInput
    ) -> AgencyPayload:
        return _agency(
            *await attempt(
                resolvers.update_agency(
                    info.context,
                    slug=input.slug,
                    version=input.version,
                    changes=given_fields(input, skip=("slug", "version")),
                )
            )
        )

    @strawberry.mutation(
        description="Platform admins: add a kind of agency (reference loads keep it as it is)."
    )
    async def create_agency_type(
        self, info: Info[Context, None], input: CreateAgencyTypeInput
    ) -> AgencyTypePayload:
        return _agency_type(
            *await attempt(resolvers.create_agency_type(info.context, fields=all_fields(input)))
        )

    @strawberry.mutation(
        description="Platform admins: edit a kind of agency (reference loads no longer change it)."
    )
    async def update_agency_type(
        self, info: Info[Context, None], input: UpdateAgencyTypeInput
    ) -> AgencyTypePayload:
        return _agency_type(
            *await attempt(
                resolvers.update_agency_type(
                    info.context,
                    code=input.code,
                    version=input.version,
                    changes=given_fields(input, skip=("code", "version")),
                )
            )
        )
