"""Reference data: complete, correct for Kalimantan Timur, and idempotent to reload."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import AgencyType, Election, ElectionStage, Region
from hub.db.reference import load_reference_data


async def test_counts(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        levels = dict(
            (await session.execute(select(Region.level, func.count()).group_by(Region.level))).all()
        )
        assert levels == {"province": 38, "regency": 416, "city": 98}
        stages = dict(
            (
                await session.execute(
                    select(ElectionStage.election_code, func.count()).group_by(
                        ElectionStage.election_code
                    )
                )
            ).all()
        )
        assert stages == {"pemilu_2024": 19, "pilkada_2024": 17}
        assert await session.scalar(select(func.count()).select_from(AgencyType)) == 29


async def test_kalimantan_timur(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        children = (
            await session.execute(
                select(Region.level, func.count())
                .where(Region.parent_code == "64")
                .group_by(Region.level)
            )
        ).all()
        assert dict(children) == {"regency": 7, "city": 3}
        balikpapan = await session.get(Region, "64.71")
        assert balikpapan is not None
        assert (balikpapan.name, balikpapan.level) == ("Kota Balikpapan", "city")


async def test_every_regency_belongs_to_an_existing_province(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        orphans = await session.scalar(
            text(
                "SELECT count(*) FROM regions child LEFT JOIN regions parent "
                "ON parent.code = child.parent_code WHERE child.level <> 'province' "
                "AND (parent.level IS DISTINCT FROM 'province' "
                "OR child.code NOT LIKE parent.code || '.%')"
            )
        )
        assert orphans == 0


async def test_stages_in_calendar_order(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        voting = await session.get(ElectionStage, "pemungutan_suara")
        assert voting is not None
        assert str(voting.starts_on) == str(voting.ends_on) == "2024-02-14"
        undated = (
            await session.scalars(
                select(ElectionStage.code).where(ElectionStage.starts_on.is_(None))
            )
        ).all()
        assert {code for code in undated if not code.startswith("pilkada_")} == {
            "penetapan_hasil",
            "sumpah_dprd_kabkota",
            "sumpah_dprd_provinsi",
        }


@pytest.mark.parametrize(
    ("code", "starts_on", "ends_on"),
    [
        ("pilkada_pendaftaran_paslon", "2024-08-27", "2024-08-29"),
        ("pilkada_penetapan_paslon", "2024-09-22", "2024-09-22"),
        ("pilkada_pengundian_nomor_urut", "2024-09-23", "2024-09-23"),
        ("pilkada_kampanye", "2024-09-25", "2024-11-23"),
        ("pilkada_masa_tenang", "2024-11-24", "2024-11-26"),
        ("pilkada_pemungutan_suara", "2024-11-27", "2024-11-27"),
    ],
)
async def test_regional_election_stages(
    sessions: async_sessionmaker[AsyncSession], code: str, starts_on: str, ends_on: str
) -> None:
    async with sessions() as session:
        stage = await session.get(ElectionStage, code)
        assert stage is not None
        assert (str(stage.starts_on), str(stage.ends_on)) == (starts_on, ends_on)
        assert stage.election_code == "pilkada_2024"
        assert "PKPU 2/2024" in stage.legal_basis


async def test_elections_and_their_calendars(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        elections = {row.code: row for row in (await session.scalars(select(Election))).all()}
        assert {code: str(row.voting_day) for code, row in elections.items()} == {
            "pemilu_2024": "2024-02-14",
            "pilkada_2024": "2024-11-27",
        }
        assert "PKPU 3/2022" in elections["pemilu_2024"].legal_basis
        assert "PKPU 2/2024" in elections["pilkada_2024"].legal_basis
        # Each election's voting stage is on its voting day; ordinals run through both calendars.
        for election, voting in (
            ("pemilu_2024", "pemungutan_suara"),
            ("pilkada_2024", "pilkada_pemungutan_suara"),
        ):
            stage = await session.get(ElectionStage, voting)
            assert stage is not None
            assert stage.election_code == election
            assert stage.starts_on == elections[election].voting_day
        ordinals = (await session.scalars(select(ElectionStage.ordinal))).all()
        assert sorted(ordinals) == list(range(1, 37))


async def test_reload_changes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    snapshot = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t"
    tables = ["regions", "elections", "election_stages", "agency_types"]
    async with sessions() as session:
        before = [await session.scalar(text(snapshot.format(table))) for table in tables]
        xmin_before = await session.scalar(text("SELECT max(xmin::text::bigint) FROM regions"))
    async with sessions() as session, session.begin():
        results = await load_reference_data(session)
    assert [(r.table, r.inserted, r.updated) for r in results] == [
        ("agency_types", 0, 0),
        ("regions", 0, 0),
        ("elections", 0, 0),
        ("election_stages", 0, 0),
    ]
    async with sessions() as session:
        after = [await session.scalar(text(snapshot.format(table))) for table in tables]
        xmin_after = await session.scalar(text("SELECT max(xmin::text::bigint) FROM regions"))
    assert after == before
    assert xmin_after == xmin_before  # no row was rewritten


async def test_reload_repairs_a_changed_row(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE regions SET name = 'x' WHERE code = '64.71'"))
    async with sessions() as session, session.begin():
        results = await load_reference_data(session)
    assert {r.table: (r.inserted, r.updated) for r in results}["regions"] == (0, 1)
    async with sessions() as session:
        region = await session.get(Region, "64.71")
        assert region is not None
        assert region.name == "Kota Balikpapan"
