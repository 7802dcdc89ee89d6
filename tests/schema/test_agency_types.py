"""Platform admins edit agency types through the API; reference loads keep their edits."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import AgencyType
from hub.db.reference import load_reference_data
from hub.settings import Settings
from tests.factories import add_account, headers_for
from tests.helpers import GraphQLClient, table_digests

CREATE = """mutation ($input: CreateAgencyTypeInput!) {
  createAgencyType(input: $input) {
    agencyType { code name nameEn description source version } errors { field code message } } }"""

UPDATE = """mutation ($input: UpdateAgencyTypeInput!) {
  updateAgencyType(input: $input) {
    agencyType { code name description source version } errors { field code message } } }"""

NEW_TYPE = {
    "code": "penerangan_kodim",
    "name": "Penerangan Komando Distrik Militer",
    "nameEn": "District military command information section",
    "description": "Seksi penerangan pada tingkat kodim.",
}


@pytest.fixture
async def admin(
    gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> dict[str, str]:
    await add_account(sessions, settings, "root@hub.go.id", platform_admin=True)
    return await headers_for(gql, "root@hub.go.id")


async def test_create_and_edit(
    gql: GraphQLClient, admin: dict[str, str], sessions: async_sessionmaker[AsyncSession]
) -> None:
    created = (await gql(CREATE, {"input": NEW_TYPE}, headers=admin))["createAgencyType"]
    assert created["errors"] == []
    assert created["agencyType"] == {**NEW_TYPE, "source": None, "version": 1}

    edit = {"code": "kpu", "version": 1, "description": "Penyelenggara pemilu dan pemilihan."}
    updated = (await gql(UPDATE, {"input": edit}, headers=admin))["updateAgencyType"]
    assert updated["errors"] == []
    assert updated["agencyType"]["description"] == "Penyelenggara pemilu dan pemilihan."
    assert updated["agencyType"]["version"] == 2
    assert updated["agencyType"]["source"].startswith("UU 7/2017")  # left as it was

    # Reloading the reference data keeps both: the edit is not reverted.
    async with sessions() as session, session.begin():
        await load_reference_data(session)
    async with sessions() as session:
        rows = {
            row.code: row
            for row in (
                await session.scalars(
                    select(AgencyType).where(AgencyType.code.in_(["kpu", "penerangan_kodim"]))
                )
            ).all()
        }
    assert rows["kpu"].description == "Penyelenggara pemilu dan pemilihan."
    assert rows["kpu"].version == 2
    assert rows["penerangan_kodim"].name == NEW_TYPE["name"]


async def test_unedited_types_follow_the_reference_data(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE agency_types SET name = 'x' WHERE code = 'kpid'"))
    async with sessions() as session, session.begin():
        results = await load_reference_data(session)
    assert {r.table: (r.inserted, r.updated) for r in results}["agency_types"] == (0, 1)
    async with sessions() as session:
        kpid = await session.get(AgencyType, "kpid")
    assert kpid is not None
    assert kpid.name.startswith("Komisi Penyiaran Indonesia Daerah")
    assert kpid.version == 2


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        (CREATE, {**NEW_TYPE, "code": "Penerangan Kodim"}, [("code", "INVALID_FORMAT")]),
        (CREATE, {**NEW_TYPE, "code": "kpu"}, [("code", "DUPLICATE")]),
        (
            CREATE,
            {**NEW_TYPE, "name": " ", "description": ""},
            [("name", "REQUIRED"), ("description", "REQUIRED")],
        ),
        (UPDATE, {"code": "kpu", "version": 7, "name": "KPU"}, [("version", "CONFLICT")]),
        (UPDATE, {"code": "kpu", "version": 1, "nameEn": "  "}, [("nameEn", "REQUIRED")]),
        (UPDATE, {"code": "partai", "version": 1, "name": "Partai"}, [("code", "NOT_FOUND")]),
    ],
)
async def test_refusals_change_nothing(
    gql: GraphQLClient,
    admin: dict[str, str],
    engine: Any,
    document: str,
    variables: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await table_digests(engine)
    data = await gql(document, {"input": variables}, headers=admin)
    payload = next(iter(data.values()))
    assert [(error["field"], error["code"]) for error in payload["errors"]] == expected
    assert payload["agencyType"] is None
    assert await table_digests(engine) == before
