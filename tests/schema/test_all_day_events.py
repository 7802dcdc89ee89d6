"""Events known only by date (``startsOn``/``endsOn``, ``allDay``) beside timed ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, headers_for
from tests.helpers import GraphQLClient, table_digests

EVENT = "event { slug version allDay startsOn endsOn startsAt endsAt }"
ERRORS = "errors { field code message }"
CREATE = f"""mutation ($input: CreateEventInput!) {{
  createEvent(input: $input) {{ {EVENT} {ERRORS} }} }}"""
NOON = "2024-11-20T12:00:00+08:00"
UPDATE = f"""mutation ($input: UpdateEventInput!) {{
  updateEvent(input: $input) {{ {EVENT} {ERRORS} }} }}"""


@pytest.fixture
async def editor(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> dict[str, str]:
    await add_account(
        sessions, settings, "editor@kaltim.go.id", roles={"diskominfo-kaltim": MemberRole.EDITOR}
    )
    return await headers_for(gql, "editor@kaltim.go.id")


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def event_input(**fields: Any) -> dict[str, Any]:
    return {
        "input": {"organiserSlug": "diskominfo-kaltim", "title": "Sosialisasi pilkada", **fields}
    }


async def test_an_event_by_date_only(gql: GraphQLClient, editor: dict[str, str]) -> None:
    created = (
        await gql(CREATE, event_input(startsOn="2024-11-20", endsOn="2024-11-21"), headers=editor)
    )["createEvent"]
    assert created["errors"] == []
    event = created["event"]
    assert (event["slug"], event["version"], event["allDay"]) == ("sosialisasi-pilkada", 1, True)
    assert (event["startsOn"], event["endsOn"]) == ("2024-11-20", "2024-11-21")
    # Stored as midnight of Western Indonesia Time, so it sorts with timed events.
    assert instant(event["startsAt"]) == datetime(2024, 11, 19, 17, tzinfo=UTC)
    assert instant(event["endsAt"]) == datetime(2024, 11, 20, 17, tzinfo=UTC)
    read = await gql('{ event(slug: "sosialisasi-pilkada") { allDay startsOn endsOn } }')
    assert read["event"] == {"allDay": True, "startsOn": "2024-11-20", "endsOn": "2024-11-21"}

    # A time given later makes it a timed event; the all-day end no longer applies.
    timed = (
        await gql(
            UPDATE,
            {"input": {"slug": "sosialisasi-pilkada", "version": 1,
                       "startsAt": "2024-11-20T09:00:00+08:00"}},
            headers=editor,
        )
    )["updateEvent"]  # fmt: skip
    assert timed["errors"] == []
    event = timed["event"]
    assert (event["version"], event["allDay"], event["startsOn"], event["endsOn"]) == (
        2,
        False,
        None,
        None,
    )
    assert instant(event["startsAt"]) == datetime(2024, 11, 20, 1, tzinfo=UTC)
    assert event["endsAt"] is None

    # And a date makes it all-day again.
    daily = (
        await gql(
            UPDATE,
            {"input": {"slug": "sosialisasi-pilkada", "version": 2, "startsOn": "2024-11-22"}},
            headers=editor,
        )
    )["updateEvent"]
    assert daily["errors"] == []
    assert (daily["event"]["allDay"], daily["event"]["startsOn"], daily["event"]["endsOn"]) == (
        True,
        "2024-11-22",
        None,
    )
    # Only the end day changes; the first day stays.
    longer = (
        await gql(
            UPDATE,
            {"input": {"slug": "sosialisasi-pilkada", "version": 3, "endsOn": "2024-11-23"}},
            headers=editor,
        )
    )["updateEvent"]
    assert (longer["event"]["startsOn"], longer["event"]["endsOn"]) == ("2024-11-22", "2024-11-23")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, [("startsAt", "REQUIRED")]),
        (
            {"startsAt": "2024-11-20T09:00:00+08:00", "startsOn": "2024-11-20"},
            [("startsOn", "INVALID_INPUT")],
        ),
        ({"startsOn": "2024-11-20", "endsAt": NOON}, [("endsAt", "INVALID_INPUT")]),
        ({"startsAt": NOON, "endsOn": "2024-11-21"}, [("endsOn", "INVALID_INPUT")]),
        ({"startsOn": "2024-11-20", "endsOn": "2024-11-19"}, [("endsOn", "DATES_OUT_OF_ORDER")]),
    ],
)  # fmt: skip
async def test_refused_schedules_change_nothing(
    gql: GraphQLClient,
    editor: dict[str, str],
    engine: AsyncEngine,
    fields: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    before = await table_digests(engine)
    payload = (await gql(CREATE, event_input(**fields), headers=editor))["createEvent"]
    assert [(error["field"], error["code"]) for error in payload["errors"]] == expected
    assert payload["event"] is None
    assert await table_digests(engine) == before


async def test_the_database_keeps_all_day_events_at_midnight(
    demo: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO events (slug, title, starts_at, all_day) "
                "VALUES ('sehari', 'Sehari', '2024-11-19 17:00+00', true)"
            )
        )
    with pytest.raises(IntegrityError, match="all_day_at_midnight"):
        async with sessions() as session, session.begin():
            await session.execute(
                text(
                    "INSERT INTO events (slug, title, starts_at, all_day) "
                    "VALUES ('siang', 'Siang', '2024-11-20 09:00+08', true)"
                )
            )
