"""Events with speakers (and their outbox rows), people, agencies and members over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.db.models import OutboxEntry
from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, headers_for, login
from tests.helpers import GraphQLClient, table_digests

EVENT = "event { slug title version startsAt endsAt speakers { role topic person { slug } } }"
CREATE_EVENT = f"""
mutation ($input: CreateEventInput!) {{
  createEvent(input: $input) {{ {EVENT} errors {{ field code message }} }}
}}
"""
UPDATE_EVENT = f"""
mutation ($input: UpdateEventInput!) {{
  updateEvent(input: $input) {{ {EVENT} errors {{ field code message }} }}
}}
"""


async def test_event_with_speakers_and_outbox(
    demo: str,
    gql: GraphQLClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await add_account(
        sessions, settings, "editor@kaltim.go.id", roles={"diskominfo-kaltim": MemberRole.EDITOR}
    )
    editor = await headers_for(gql, "editor@kaltim.go.id")
    base = {
        "organiserSlug": "diskominfo-kaltim",
        "title": "Forum Bakohumas se-Kaltim 2024",
        "startsAt": "2024-05-21T08:00:00+08:00",
        "regionCode": "64.72",
    }
    before = await table_digests(engine)
    bad = await gql(
        CREATE_EVENT,
        {
            "input": {
                **base,
                "endsAt": "2024-05-20T16:00:00+08:00",
                "regionCode": "99",
                "speakers": [
                    {"personSlug": "muhammad-faisal", "role": "KEYNOTE"},
                    {"personSlug": "muhammad-faisal", "role": "KEYNOTE"},
                    {"personSlug": "tokoh-fiktif", "role": "SPEAKER"},
                ],
            }
        },
        headers=editor,
    )
    assert [(e["field"], e["code"]) for e in bad["createEvent"]["errors"]] == [
        ("regionCode", "UNKNOWN_REFERENCE"),
        ("endsAt", "DATES_OUT_OF_ORDER"),
        ("speakers.1.personSlug", "DUPLICATE"),
        ("speakers.2.personSlug", "UNKNOWN_REFERENCE"),
    ]
    assert await table_digests(engine) == before

    created = await gql(
        CREATE_EVENT,
        {
            "input": {
                **base,
                "speakers": [
                    {"personSlug": "sri-wahyuni", "role": "OPENING"},
                    {"personSlug": "muhammad-faisal", "role": "KEYNOTE", "topic": "Pilkada"},
                ],
            }
        },
        headers=editor,
    )
    event = created["createEvent"]["event"]
    assert created["createEvent"]["errors"] == []
    assert event["slug"] == "forum-bakohumas-se-kaltim-2024"
    assert [(s["role"], s["person"]["slug"]) for s in event["speakers"]] == [
        ("OPENING", "sri-wahyuni"),
        ("KEYNOTE", "muhammad-faisal"),
    ]

    moved = await gql(
        UPDATE_EVENT,
        {
            "input": {
                "slug": event["slug"],
                "version": 1,
                "endsAt": "2024-05-21T16:00:00+08:00",
                "speakers": [{"personSlug": "romdani", "role": "MODERATOR"}],
            }
        },
        headers=editor,
    )
    updated = moved["updateEvent"]["event"]
    assert updated["version"] == 2
    assert datetime.fromisoformat(updated["endsAt"]) == datetime(2024, 5, 21, 8, tzinfo=UTC)
    assert [(s["role"], s["person"]["slug"]) for s in updated["speakers"]] == [
        ("MODERATOR", "romdani")
    ]
    stale = await gql(UPDATE_EVENT, {"input": {"slug": event["slug"], "version": 1, "venue": "x"}})
    assert stale["updateEvent"]["errors"][0]["code"] == "UNAUTHENTICATED"
    conflict = await gql(
        UPDATE_EVENT, {"input": {"slug": event["slug"], "version": 1, "venue": "x"}}, headers=editor
    )
    assert conflict["updateEvent"]["errors"][0]["code"] == "CONFLICT"

    async with sessions() as session:
        rows = (
            await session.execute(
                select(OutboxEntry.kind, OutboxEntry.payload, OutboxEntry.region_codes)
                .where(OutboxEntry.entity_type == "event")
                .order_by(OutboxEntry.id)
            )
        ).all()
    assert [(kind, payload["version"]) for kind, payload, _ in rows] == [
        ("event.changed", 1),
        ("event.changed", 2),
    ]
    assert rows[0].region_codes == ["64", "64.72"]


MEMBERS = """
mutation ($add: AddMemberInput!, $demote: ChangeMemberRoleInput!, $remove: RemoveMemberInput!) {
  add: addMember(input: $add) { member { role account { email } } errors { field code } }
  demote: changeMemberRole(input: $demote) { member { role } errors { field code } }
  remove: removeMember(input: $remove) { removedEmail errors { field code } }
}
"""


async def test_members_and_the_last_admin(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await add_account(
        sessions, settings, "admin@ppu.go.id", roles={"diskominfo-ppu": MemberRole.ADMIN}
    )
    admin = await headers_for(gql, "admin@ppu.go.id")
    agency = "diskominfo-ppu"
    data = await gql(
        MEMBERS,
        {
            "add": {
                "agencySlug": agency,
                "email": "staf@ppu.go.id",
                "role": "EDITOR",
                "displayName": "Staf PPU",
                "initialPassword": "sandi awal cukup panjang",
            },
            "demote": {"agencySlug": agency, "email": "admin@ppu.go.id", "role": "EDITOR"},
            "remove": {"agencySlug": agency, "email": "admin@ppu.go.id"},
        },
        headers=admin,
    )
    assert data["add"] == {
        "member": {"role": "EDITOR", "account": {"email": "staf@ppu.go.id"}},
        "errors": [],
    }
    assert data["demote"]["errors"] == [{"field": "email", "code": "LAST_ADMIN"}]
    assert data["remove"]["errors"] == [{"field": "email", "code": "LAST_ADMIN"}]
    assert (await login(gql, "staf@ppu.go.id", "sandi awal cukup panjang"))["accessToken"]

    again = await gql(
        MEMBERS,
        {
            "add": {"agencySlug": agency, "email": "STAF@ppu.go.id", "role": "EDITOR"},
            "demote": {"agencySlug": agency, "email": "staf@ppu.go.id", "role": "ADMIN"},
            "remove": {"agencySlug": agency, "email": "orang@lain.id"},
        },
        headers=admin,
    )
    assert again["add"]["errors"] == [{"field": "email", "code": "DUPLICATE"}]
    assert again["demote"] == {"member": {"role": "ADMIN"}, "errors": []}
    assert again["remove"]["errors"] == [{"field": "email", "code": "NOT_FOUND"}]
    missing_password = await gql(
        MEMBERS,
        {
            "add": {"agencySlug": agency, "email": "baru@ppu.go.id", "role": "CONTRIBUTOR"},
            "demote": {"agencySlug": agency, "email": "admin@ppu.go.id", "role": "EDITOR"},
            "remove": {"agencySlug": agency, "email": "staf@ppu.go.id"},
        },
        headers=admin,
    )
    assert missing_password["add"]["errors"] == [
        {"field": "displayName", "code": "REQUIRED"},
        {"field": "initialPassword", "code": "REQUIRED"},
    ]
    assert missing_password["demote"]["errors"] == []  # another admin exists now
    # staf is now the only admin: removing them is refused too.
    assert missing_password["remove"]["errors"] == [{"field": "email", "code": "LAST_ADMIN"}]


UPDATE_AGENCY = """
mutation ($input: UpdateAgencyInput!) {
  updateAgency(input: $input) { agency { slug website } errors { field code } }
}
"""


async def test_provincial_review_is_for_regency_agencies(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await add_account(sessions, settings, "root@hub.go.id", platform_admin=True)
    root = await headers_for(gql, "root@hub.go.id")
    province = await gql(
        UPDATE_AGENCY,
        {"input": {"slug": "diskominfo-kaltim", "version": 1, "provincialReview": True}},
        headers=root,
    )
    assert province["updateAgency"]["errors"] == [
        {"field": "provincialReview", "code": "INVALID_INPUT"}
    ]
    regency = await gql(
        UPDATE_AGENCY,
        {
            "input": {
                "slug": "diskominfo-kukar",
                "version": 1,
                "provincialReview": True,
                "website": "https://diskominfo.kukarkab.go.id",
            }
        },
        headers=root,
    )
    assert regency["updateAgency"] == {
        "agency": {"slug": "diskominfo-kukar", "website": "https://diskominfo.kukarkab.go.id"},
        "errors": [],
    }
