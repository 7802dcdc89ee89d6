"""Writes to the shared directory: people, tags, agencies and agency types.

People and tags are shared by every agency: any agency member may add them (API keys with
the matching scope too), but a person is placed *in* an agency only by those with a role
there. A person's record is kept by the editors of the person's agency (of any agency when
the person has none), and moved to another agency only by someone who may keep it there too.
Agencies are created by platform admins; an agency's profile is kept by its admins. Agency
types are reference data (``hub/data``) that platform admins create and edit too; an edited
type is no longer changed by reference loads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.auth import Viewer, allows, can_add_people, can_add_tags, can_edit_person
from hub.db.models import Agency, AgencyType, Person, Region, Tag
from hub.db.repositories import clock, lookup
from hub.errors import ErrorCode, NotFound
from hub.resolvers import idempotency
from hub.resolvers.guard import check_version, require, require_principal
from hub.resolvers.slugs import insert_with_slug
from hub.resolvers.validation import Checker, slugify
from hub.vocabulary import RegionLevel
from hub.workflow import Capability

if TYPE_CHECKING:
    from hub.context import Context

M = TypeVar("M", Person, Tag, Agency)
Locked = TypeVar("Locked", Person, Tag, Agency, AgencyType)

MAX_NAME = 300
MAX_POSITION = 500
MAX_SLUG = 120
MAX_TAG_SLUG = 80
MAX_ACRONYM = 40
MAX_DESCRIPTION = 2_000
MAX_TYPE_CODE = 64
MAX_SOURCE = 2_000


async def locked(
    session: AsyncSession,
    model: type[Locked],
    column: Any,
    value: str,
    *,
    noun: str,
    field: str = "slug",
) -> Locked:
    statement = (
        select(model)
        .where(column == value)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = (await session.scalars(statement)).one_or_none()
    if row is None:
        raise NotFound(f"no {noun} `{value}`", field=field)
    return row


async def unique(
    session: AsyncSession,
    check: Checker,
    column: InstrumentedAttribute[str],
    value: str | None,
    *,
    field: str,
    max_length: int,
    noun: str,
) -> str | None:
    """A well-formed slug/code not yet taken (DUPLICATE when it is)."""
    slug = check.slug(field, value, max_length=max_length)
    if slug is not None and await lookup.values_by_key(session, column, column, [slug]):
        check.add(field, f"{noun} `{slug}` already exists", ErrorCode.DUPLICATE)
    return slug


async def _create(
    session: AsyncSession,
    viewer: Viewer,
    *,
    operation: str,
    model: type[M],
    request: Mapping[str, Any],
    idempotency_key: str | None,
    build: Callable[[], Awaitable[tuple[M, str | None]]],
    noun: str,
) -> M:
    """The shared create step: replay a claimed key, else build and insert the row (its
    slug generated from the returned base, or its own when the base is None), record the key."""
    claim, earlier = await idempotency.claim_or_replay(
        session,
        viewer=viewer,
        operation=operation,
        key=idempotency_key,
        request=request,
        model=model,
    )
    if earlier is not None:
        return earlier
    row, base = await build()
    await insert_with_slug(session, row, model.slug, base=base, noun=noun)
    await idempotency.complete(session, claim, row.id)
    return row


async def create_person(
    ctx: Context, *, fields: Mapping[str, Any], idempotency_key: str | None
) -> Person:
    viewer = require_principal(ctx)
    require(can_add_people(viewer), "only agency members may add people")
    async with ctx.sessions() as session, session.begin():
        await _check_placement(session, viewer, fields, can_add_people)

        async def build() -> tuple[Person, str | None]:
            check = Checker()
            slug = (
                await unique(
                    session, check, Person.slug, fields["slug"],
                    field="slug", max_length=MAX_SLUG, noun="a person",
                )
                if fields.get("slug") is not None
                else None
            )  # fmt: skip
            columns = await _person_columns(session, check, fields, creating=True)
            check.done()
            base = None if slug else slugify(columns["name"], fallback="person")
            return Person(slug=slug, version=1, **columns), base

        return await _create(
            session, viewer, operation="createPerson", model=Person,
            request=fields, idempotency_key=idempotency_key, build=build, noun="a person",
        )  # fmt: skip


async def update_person(
    ctx: Context, *, slug: str, version: int, changes: Mapping[str, Any]
) -> Person:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        person = await locked(session, Person, Person.slug, slug, noun="person")
        require(can_edit_person(viewer, person.agency_id), "you may not edit this person")
        await _check_placement(session, viewer, changes, can_edit_person)
        check_version(person.version, version, "person")
        check = Checker()
        columns = await _person_columns(session, check, changes, creating=False)
        check.done()
        for name, value in columns.items():
            setattr(person, name, value)
        person.version += 1
        await session.flush()
        return person


async def _check_placement(
    session: AsyncSession,
    viewer: Viewer,
    fields: Mapping[str, Any],
    allowed: Callable[[Viewer, int | None], bool],
) -> None:
    """A person placed in an agency (``agencySlug``) needs the viewer's role in *that* agency,
    whatever the viewer may do elsewhere. An unknown slug is left to the input check."""
    slug = fields.get("agency_slug")
    if slug is None:
        return
    agency_id = (await lookup.values_by_key(session, Agency.slug, Agency.id, [slug])).get(slug)
    if agency_id is not None:
        require(allowed(viewer, agency_id), f"you may not place people in {slug}")


async def _person_columns(
    session: AsyncSession, check: Checker, fields: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if creating or "name" in fields:
        columns["name"] = check.text(
            "name", fields.get("name"), min_length=2, max_length=MAX_NAME, required=True
        )
    if "position" in fields:
        columns["position"] = check.text("position", fields["position"], max_length=MAX_POSITION)
    if "agency_slug" in fields:
        columns["agency_id"] = None
        if fields["agency_slug"] is not None:
            found = await lookup.values_by_key(
                session, Agency.slug, Agency.id, [fields["agency_slug"]]
            )
            check.known("agencySlug", [fields["agency_slug"]], found, "agency")
            columns["agency_id"] = found.get(fields["agency_slug"])
    return columns


async def create_tag(
    ctx: Context, *, fields: Mapping[str, Any], idempotency_key: str | None
) -> Tag:
    viewer = require_principal(ctx)
    require(can_add_tags(viewer), "only agency members may add tags")
    async with ctx.sessions() as session, session.begin():

        async def build() -> tuple[Tag, str | None]:
            check = Checker()
            label = check.text("label", fields.get("label"), max_length=80, required=True)
            wanted = fields.get("slug") or (slugify(label, fallback="tag") if label else None)
            slug = await unique(
                session, check, Tag.slug, wanted,
                field="slug", max_length=MAX_TAG_SLUG, noun="a tag",
            )  # fmt: skip
            check.done()
            return Tag(slug=slug, label=label), None

        return await _create(
            session, viewer, operation="createTag", model=Tag,
            request=fields, idempotency_key=idempotency_key, build=build, noun="a tag",
        )  # fmt: skip


async def create_agency(
    ctx: Context, *, fields: Mapping[str, Any], idempotency_key: str | None
) -> Agency:
    viewer = require_principal(ctx)
    require(viewer.is_platform_admin, "only platform admins create agencies")
    async with ctx.sessions() as session, session.begin():

        async def build() -> tuple[Agency, str | None]:
            check = Checker()
            slug = await unique(
                session, check, Agency.slug, fields.get("slug"),
                field="slug", max_length=MAX_SLUG, noun="an agency",
            )  # fmt: skip
            if not str(fields.get("slug") or "").strip():
                check.add("slug", "`slug` is required", ErrorCode.REQUIRED)
            columns = _agency_profile(check, fields, creating=True)
            type_code = str(fields["type_code"])
            types = await lookup.values_by_key(
                session, AgencyType.code, AgencyType.code, [type_code]
            )
            check.known("typeCode", [type_code], types, "agency type")
            region_level = None
            if (region_code := fields.get("region_code")) is not None:
                regions = await lookup.values_by_key(
                    session, Region.code, Region.level, [region_code]
                )
                check.known("regionCode", [region_code], regions, "region code")
                region_level = regions.get(region_code)
            parent_id = None
            if (parent_slug := fields.get("parent_slug")) is not None:
                parents = await lookup.values_by_key(session, Agency.slug, Agency.id, [parent_slug])
                check.known("parentSlug", [parent_slug], parents, "agency")
                parent_id = parents.get(parent_slug)
            _check_provincial_review(check, columns, region_level)
            check.done()
            agency = Agency(
                slug=slug, type_code=type_code, region_code=region_code, parent_id=parent_id,
                version=1, **columns,
            )  # fmt: skip
            return agency, None

        return await _create(
            session, viewer, operation="createAgency", model=Agency,
            request=fields, idempotency_key=idempotency_key, build=build, noun="an agency",
        )  # fmt: skip


async def update_agency(
    ctx: Context, *, slug: str, version: int, changes: Mapping[str, Any]
) -> Agency:
    viewer = require_principal(ctx)
    async with ctx.sessions() as session, session.begin():
        agency = await locked(session, Agency, Agency.slug, slug, noun="agency")
        require(
            allows(viewer, Capability.ADMINISTER, agency.id),
            f"only admins of {agency.slug} edit its profile",
        )
        check_version(agency.version, version, "agency")
        check = Checker()
        columns = _agency_profile(check, changes, creating=False)
        region_level = (
            await session.scalar(select(Region.level).where(Region.code == agency.region_code))
            if agency.region_code
            else None
        )
        _check_provincial_review(check, columns, region_level)
        check.done()
        for name, value in columns.items():
            setattr(agency, name, value)
        agency.version += 1
        await session.flush()
        return agency


def _agency_profile(check: Checker, fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if creating or "name" in fields:
        columns["name"] = check.text(
            "name", fields.get("name"), min_length=3, max_length=MAX_NAME, required=True
        )
    if "acronym" in fields:
        columns["acronym"] = check.text("acronym", fields["acronym"], max_length=MAX_ACRONYM)
    if "website" in fields:
        columns["website"] = check.url("website", fields["website"])
    if fields.get("provincial_review") is not None:
        columns["provincial_review"] = bool(fields["provincial_review"])
    return columns


def _check_provincial_review(
    check: Checker, columns: Mapping[str, Any], region_level: str | None
) -> None:
    if columns.get("provincial_review") and region_level not in (
        RegionLevel.REGENCY.value,
        RegionLevel.CITY.value,
    ):
        check.add(
            "provincialReview",
            "only agencies of a regency or city can ask for provincial review",
            ErrorCode.INVALID_INPUT,
        )


async def create_agency_type(ctx: Context, *, fields: Mapping[str, Any]) -> AgencyType:
    """A new kind of agency (platform admins); its code makes a retry safe (``DUPLICATE``)."""
    viewer = require_principal(ctx)
    require(viewer.is_platform_admin, "only platform admins edit agency types")
    async with ctx.sessions() as session, session.begin():
        check = Checker()
        code = check.code("code", fields.get("code"), max_length=MAX_TYPE_CODE)
        if code is not None and await session.get(AgencyType, code) is not None:
            check.add("code", f"an agency type `{code}` already exists", ErrorCode.DUPLICATE)
        columns = _agency_type_columns(check, fields, creating=True)
        check.done()
        row = AgencyType(code=code, version=1, edited_at=await clock.now(session), **columns)
        session.add(row)
        await session.flush()
        return row


async def update_agency_type(
    ctx: Context, *, code: str, version: int, changes: Mapping[str, Any]
) -> AgencyType:
    viewer = require_principal(ctx)
    require(viewer.is_platform_admin, "only platform admins edit agency types")
    async with ctx.sessions() as session, session.begin():
        row = await locked(
            session, AgencyType, AgencyType.code, code, noun="agency type", field="code"
        )
        check_version(row.version, version, "agency type")
        check = Checker()
        columns = _agency_type_columns(check, changes, creating=False)
        check.done()
        for name, value in columns.items():
            setattr(row, name, value)
        row.version += 1
        row.edited_at = await clock.now(session)
        await session.flush()
        return row


def _agency_type_columns(
    check: Checker, fields: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name, field in (("name", "name"), ("name_en", "nameEn"), ("description", "description")):
        if creating or name in fields:
            limit = MAX_DESCRIPTION if name == "description" else MAX_NAME
            columns[name] = check.text(
                field, fields.get(name), min_length=3, max_length=limit, required=True
            )
    if "source" in fields:
        columns["source"] = check.text("source", fields["source"], max_length=MAX_SOURCE)
    return columns
