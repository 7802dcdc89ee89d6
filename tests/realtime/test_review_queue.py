"""reviewQueue over a real WebSocket: who may follow an agency's queue, what it carries, and
how it ends when the login that opened it ends (logout, expiry, role removed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from tests.factories import (
    Desk,
    add_account,
    add_api_key,
    add_article,
    bearer,
    ensure_agency,
    login,
    set_provincial_review,
)
from tests.helpers import GraphQLClient
from tests.live_client import LiveClient
from tests.servers import serving

Sessions = async_sessionmaker[AsyncSession]

QUEUE = """
subscription ($agency: String!, $after: String) {
  reviewQueue(agencySlug: $agency, after: $after) {
    cursor kind articleSlug article { slug title status }
  }
}
"""
KUKAR = "diskominfo-kukar-antrian"  # a regency office asking for provincial review
KALTIM = "diskominfo-kaltim-antrian"  # the province's coordinating office
BONTANG = "diskominfo-bontang-antrian"  # a regency office of the same province, no such review
OTHER = "kpu-jatim-antrian"


@pytest.fixture
async def newsroom(sessions: Sessions, live_settings: Settings) -> dict[str, str]:
    """Agencies and accounts; returns e-mail by part played."""
    await ensure_agency(sessions, slug=KUKAR, type_code="diskominfo_kabkota", region_code="64.02")
    await ensure_agency(sessions, slug=KALTIM, type_code="diskominfo_provinsi", region_code="64")
    await ensure_agency(sessions, slug=BONTANG, type_code="diskominfo_kabkota", region_code="64.74")
    await ensure_agency(sessions, slug=OTHER, type_code="kpu", region_code="35")
    await set_provincial_review(sessions, KUKAR)
    people = {
        "writer": {KUKAR: MemberRole.CONTRIBUTOR},
        "editor": {KUKAR: MemberRole.EDITOR},
        "admin": {KUKAR: MemberRole.ADMIN},
        "reviewer": {KALTIM: MemberRole.EDITOR},
        "outsider": {OTHER: MemberRole.CONTRIBUTOR},
        "outside_editor": {OTHER: MemberRole.EDITOR},
    }
    emails = {}
    for part, roles in people.items():
        emails[part] = f"{part}@antrian.go.id"
        await add_account(sessions, live_settings, emails[part], roles=roles)
    return emails


@pytest.fixture
async def http(address: str) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=60) as client:
        yield GraphQLClient(client)


async def token_of(gql: GraphQLClient, email: str) -> str:
    return str((await login(gql, email))["accessToken"])


def as_user(token: str) -> dict[str, Any]:
    return {"authorization": f"Bearer {token}"}


async def queue_events(client: LiveClient, count: int) -> list[dict[str, Any]]:
    return await client.events(count, within=60)


async def ended_with(client: LiveClient, operation_id: str) -> dict[str, Any]:
    """The error that ends ``operation_id`` (nothing else may arrive for it first)."""
    message = await client.receive(60)
    assert message["type"] == "error", message
    assert message["id"] == operation_id
    (error,) = message["payload"]
    return dict(error)


async def test_editors_and_the_provincial_reviewer_follow_the_queue(
    address: str, http: GraphQLClient, sessions: Sessions, newsroom: dict[str, str]
) -> None:
    writer = Desk(http, sessions, bearer(await token_of(http, newsroom["writer"])))
    desk = Desk(http, sessions, bearer(await token_of(http, newsroom["admin"])))
    drafts = [
        await add_article(
            sessions, agency_slug=KUKAR, status=ArticleStatus.DRAFT, author_email=newsroom["writer"]
        )
        for _ in range(3)
    ]
    url = f"ws://{address}/graphql"
    async with (
        LiveClient.connect(url, init=False) as editor,
        LiveClient.connect(url, init=False) as reviewer,
        LiveClient.connect(url, init=False) as other_queue,
        LiveClient.connect(url) as public,
    ):
        await editor.initialise(as_user(await token_of(http, newsroom["editor"])))
        await reviewer.initialise(as_user(await token_of(http, newsroom["reviewer"])))
        await other_queue.initialise(as_user(await token_of(http, newsroom["outside_editor"])))
        await editor.subscribe("q", QUEUE, {"agency": KUKAR})
        await reviewer.subscribe("q", QUEUE, {"agency": KUKAR})
        await other_queue.subscribe("q", QUEUE, {"agency": OTHER})
        await public.subscribe_articles("p")
        await editor.quiet(0.3)

        for draft in drafts:
            await writer.submit(draft)
        await desk.approve(drafts[0])
        await desk.reject(drafts[1])

        seen_by_editor = await queue_events(editor, 5)
        seen_by_reviewer = await queue_events(reviewer, 5)
        (published,) = await public.events(1)
        await other_queue.quiet(0.5)
        await public.quiet(0.3)

    slugs = [event["articleSlug"] for event in seen_by_editor]
    assert [event["kind"] for event in seen_by_editor] == [
        "SUBMITTED",
        "SUBMITTED",
        "SUBMITTED",
        "APPROVED",
        "REJECTED",
    ]
    assert slugs[3] == slugs[0]
    assert slugs[4] == slugs[1]
    # Unpublished articles are shown to the queue's followers, as they are when delivered.
    assert all(event["article"]["slug"] == event["articleSlug"] for event in seen_by_editor)
    assert [event["article"]["status"] for event in seen_by_editor[3:]] == [
        "APPROVED",
        "REJECTED",
    ]
    assert seen_by_reviewer == seen_by_editor
    assert published["article"]["slug"] == slugs[0]  # only the approval is public


@pytest.mark.parametrize(
    ("who", "agency", "code"),
    [
        (None, KUKAR, "UNAUTHENTICATED"),
        ("outsider", KUKAR, "FORBIDDEN"),  # a contributor of another agency
        ("outside_editor", KUKAR, "FORBIDDEN"),  # an editor, but of another agency
        ("writer", KUKAR, "FORBIDDEN"),  # contributors write, editors review
        ("reviewer", BONTANG, "FORBIDDEN"),  # the province reviews only who asks for it
        ("api_key", KUKAR, "FORBIDDEN"),  # keys never take editorial decisions
        ("editor", "tidak-ada", "INVALID_INPUT"),
    ],
)
async def test_the_queue_is_refused_to_those_not_entitled(
    address: str,
    http: GraphQLClient,
    sessions: Sessions,
    newsroom: dict[str, str],
    who: str | None,
    agency: str,
    code: str,
) -> None:
    if who is None:
        init: dict[str, Any] = {}
    elif who == "api_key":
        key = await add_api_key(sessions, KUKAR, [ApiKeyScope.SUBMIT_ARTICLES])
        init = {"authorization": f"Bearer {key}"}
    else:
        init = as_user(await token_of(http, newsroom[who]))
    async with LiveClient.connect(f"ws://{address}/graphql", init=False) as client:
        await client.initialise(init)
        await client.subscribe("q", QUEUE, {"agency": agency})
        assert (await ended_with(client, "q"))["extensions"]["code"] == code


async def submitted_by_writer(
    http: GraphQLClient, sessions: Sessions, newsroom: dict[str, str], *, with_key: bool = False
) -> Any:
    """A function submitting a new draft of the writer through the API (logged in, or
    with the agency's API key, which does not expire)."""
    if with_key:
        credential = await add_api_key(sessions, KUKAR, [ApiKeyScope.SUBMIT_ARTICLES])
    else:
        credential = await token_of(http, newsroom["writer"])
    writer = Desk(http, sessions, bearer(credential))

    async def submit() -> None:
        draft = await add_article(
            sessions, agency_slug=KUKAR, status=ArticleStatus.DRAFT, author_email=newsroom["writer"]
        )
        await writer.submit(draft)

    return submit


LOGOUT = "mutation { logout { errors { code } } }"
DEMOTE = """
mutation ($agency: String!, $email: String!) {
  changeMemberRole(input: {agencySlug: $agency, email: $email, role: CONTRIBUTOR}) {
    errors { code message }
  }
}
"""


@pytest.mark.parametrize("ending", ["logout", "role_removed"])
async def test_the_queue_ends_when_the_login_or_the_role_ends(
    address: str, http: GraphQLClient, sessions: Sessions, newsroom: dict[str, str], ending: str
) -> None:
    submit = await submitted_by_writer(http, sessions, newsroom)
    token = await token_of(http, newsroom["editor"])
    async with LiveClient.connect(f"ws://{address}/graphql", init=False) as editor:
        await editor.initialise(as_user(token))
        await editor.subscribe("q", QUEUE, {"agency": KUKAR})
        await editor.subscribe_articles("public")
        await editor.quiet(0.3)
        await submit()
        (first,) = await queue_events(editor, 1)
        assert first["kind"] == "SUBMITTED"

        if ending == "logout":
            assert (await http(LOGOUT, headers=bearer(token)))["logout"]["errors"] == []
            expected = "UNAUTHENTICATED"
        else:
            admin = bearer(await token_of(http, newsroom["admin"]))
            data = await http(DEMOTE, {"agency": KUKAR, "email": newsroom["editor"]}, headers=admin)
            assert data["changeMemberRole"]["errors"] == []
            expected = "FORBIDDEN"
        await submit()
        error = await ended_with(editor, "q")  # the submission is not delivered
        assert error["extensions"]["code"] == expected, error
        await submit()
        await editor.quiet(1.0)  # ended: nothing more for "q"
        # The socket stays open; its public subscription goes on.
        desk = Desk(http, sessions, bearer(await token_of(http, newsroom["admin"])))
        article = await add_article(sessions, agency_slug=KUKAR)
        await desk.approve(article)
        (published,) = await editor.events(1, within=60)
        assert published["kind"] == "APPROVED"


async def test_the_queue_ends_when_the_token_expires(
    live_settings: Settings, sessions: Sessions, newsroom: dict[str, str]
) -> None:
    live_settings.access_token_ttl = 3  # below the configurable minimum, for the test only
    async with (
        serving(live_settings) as address,
        httpx.AsyncClient(base_url=f"http://{address}", timeout=60) as client,
    ):
        http = GraphQLClient(client)
        async with LiveClient.connect(f"ws://{address}/graphql", init=False) as editor:
            await editor.initialise(as_user(await token_of(http, newsroom["editor"])))
            await editor.subscribe("q", QUEUE, {"agency": KUKAR})
            await editor.quiet(0.3)
            await asyncio.sleep(4)  # the access token expires
            submit = await submitted_by_writer(http, sessions, newsroom, with_key=True)
            await submit()
            error = await ended_with(editor, "q")
            assert error["extensions"]["code"] == "UNAUTHENTICATED"
            assert "expired" in error["message"]


async def test_resuming_the_queue_replays_what_was_missed(
    address: str, http: GraphQLClient, sessions: Sessions, newsroom: dict[str, str]
) -> None:
    submit = await submitted_by_writer(http, sessions, newsroom)
    url = f"ws://{address}/graphql"
    async with LiveClient.connect(url, init=False) as editor:
        await editor.initialise(as_user(await token_of(http, newsroom["editor"])))
        await editor.subscribe("q", QUEUE, {"agency": KUKAR})
        await editor.quiet(0.3)
        await submit()
        (first,) = await queue_events(editor, 1)
    await submit()
    await submit()
    async with LiveClient.connect(url, init=False) as reviewer:
        await reviewer.initialise(as_user(await token_of(http, newsroom["reviewer"])))
        await reviewer.subscribe("q", QUEUE, {"agency": KUKAR, "after": first["cursor"]})
        missed = await queue_events(reviewer, 2)
        await reviewer.quiet(0.5)
    assert [event["kind"] for event in missed] == ["SUBMITTED", "SUBMITTED"]
    assert len({first["articleSlug"], *(event["articleSlug"] for event in missed)}) == 3
