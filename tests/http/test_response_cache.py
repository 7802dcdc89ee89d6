"""The response cache over real HTTP: hits, and what each outbox change drops, in one server
and across two ``hub serve`` processes.

Writes go through the API (an editor's approvals, corrections and retractions), so they
reach the outbox the cache follows. ``settled`` waits until the server's broker has read
the outbox up to its head: from then on, the next read must show the change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.realtime import cursor
from hub.settings import Settings
from hub.vocabulary import ArticleStatus
from tests.factories import Desk, add_article, ensure_agency, settings_for
from tests.servers import ServerProcess, clean_env, serving

Sessions = async_sessionmaker[AsyncSession]

FEED = """
query Feed($region: String!) {
  articles(filter: {region: $region}, first: 20) { totalCount nodes { slug status } }
}
"""
DETAIL = """
query Detail($slug: String!) { article(slug: $slug) { slug status correctionNote } }
"""
CACHE_ON = {"response_cache_bytes": 4 * 1024 * 1024}


async def read(http: httpx.AsyncClient, query: str, **variables: Any) -> tuple[dict[str, Any], str]:
    """The answer's data and its ``X-Cache`` (``hit`` or ``miss``)."""
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"], response.headers["x-cache"]


def slugs(data: dict[str, Any]) -> set[str]:
    return {node["slug"] for node in data["articles"]["nodes"]}


async def settled(http: httpx.AsyncClient, sessions: Sessions) -> None:
    """Wait (10 s at most) until the server's broker has read the last committed outbox row.

    The row is read without the stream's horizon: on a PostgreSQL server shared with other
    work, the horizon may still be short of it (the stream waits for every older open
    transaction), and waiting only for the horizon would let the test read too early."""
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT txid::text::bigint AS txid, id FROM outbox ORDER BY id DESC LIMIT 1")
            )
        ).one()
    last = (int(row.txid), int(row.id))
    deadline = time.monotonic() + 10
    while cursor.decode((await http.get("/health/realtime")).json()["position"]) < last:
        assert time.monotonic() < deadline, "the server did not read the outbox in time"
        await asyncio.sleep(0.01)


async def metric(http: httpx.AsyncClient, name: str) -> float:
    for line in (await http.get("/metrics")).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}")


@pytest.fixture
async def newsroom(sessions: Sessions) -> dict[str, str]:
    """Two agencies, in Kalimantan Timur (64) and Jawa Timur (35)."""
    await ensure_agency(sessions, slug="kominfo-kaltim", region_code="64")
    await ensure_agency(sessions, slug="kominfo-jatim", region_code="35")
    return {"64": "kominfo-kaltim", "35": "kominfo-jatim"}


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Settings]]:
    settings = settings_for(database_url, tmp_path, **CACHE_ON)
    async with serving(settings) as address:
        yield f"http://{address}", settings


async def submitted(sessions: Sessions, agency: str, region: str) -> int:
    return await add_article(
        sessions, agency_slug=agency, status=ArticleStatus.SUBMITTED, regions=[region]
    )


async def published(sessions: Sessions, agency: str, region: str) -> str:
    """An approved article (written directly, before the server's reads are cached)."""
    article_id = await add_article(
        sessions, agency_slug=agency, status=ArticleStatus.APPROVED, regions=[region]
    )
    return await slug_of(sessions, article_id)


async def slug_of(sessions: Sessions, article_id: int) -> str:
    from hub.db.models import Article

    async with sessions() as session:
        found = await session.get(Article, article_id)
        assert found is not None
        return found.slug


async def test_a_cached_feed_shows_a_new_approval_and_keeps_through_an_unrelated_one(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    await published(sessions, newsroom["64"], "64")
    near = await submitted(sessions, newsroom["64"], "64")
    far = await submitted(sessions, newsroom["35"], "35")
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        first, state = await read(http, FEED, region="64")
        assert state == "miss"
        again, state = await read(http, FEED, region="64")
        assert (again, state) == (first, "hit")
        # Other variables are another answer.
        assert (await read(http, FEED, region="35"))[1] == "miss"

        await desk.approve(far)  # Jawa Timur: not in the Kalimantan Timur feed
        await settled(http, sessions)
        kept, state = await read(http, FEED, region="64")
        assert (kept, state) == (first, "hit")
        assert await metric(http, "hub_response_cache_hits_total") >= 2

        await desk.approve(near)
        await settled(http, sessions)
        fresh, state = await read(http, FEED, region="64")
        assert state == "miss"
        assert slugs(fresh) == slugs(first) | {await slug_of(sessions, near)}
        assert fresh["articles"]["totalCount"] == first["articles"]["totalCount"] + 1
        assert await metric(http, "hub_response_cache_invalidations_total") >= 1


async def test_correction_and_retraction_drop_the_answers_that_hold_the_article(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    corrected = await published(sessions, newsroom["64"], "64")
    retracted = await published(sessions, newsroom["64"], "64")
    elsewhere = await published(sessions, newsroom["35"], "35")
    ids = {}
    from sqlalchemy import select

    from hub.db.models import Article

    async with sessions() as session:
        for slug in (corrected, retracted):
            ids[slug] = await session.scalar(select(Article.id).where(Article.slug == slug))
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        for slug in (corrected, retracted, elsewhere):
            await read(http, DETAIL, slug=slug)
        await read(http, FEED, region="64")
        await read(http, FEED, region="35")

        await desk.correct(ids[corrected], note="Tanggal acara diperbaiki")
        await settled(http, sessions)
        detail, state = await read(http, DETAIL, slug=corrected)
        assert state == "miss"
        assert detail["article"]["correctionNote"] == "Tanggal acara diperbaiki"
        assert (await read(http, DETAIL, slug=retracted))[1] == "hit"
        assert (await read(http, DETAIL, slug=elsewhere))[1] == "hit"
        assert (await read(http, FEED, region="64"))[1] == "miss"
        assert (await read(http, FEED, region="35"))[1] == "hit"

        await desk.retract(ids[retracted])
        await settled(http, sessions)
        detail, state = await read(http, DETAIL, slug=retracted)
        assert (detail["article"]["status"], state) == ("RETRACTED", "miss")
        feed, state = await read(http, FEED, region="64")
        assert state == "miss"
        assert {n["slug"]: n["status"] for n in feed["articles"]["nodes"]}[retracted] == (
            "RETRACTED"
        )
        assert (await read(http, DETAIL, slug=corrected))[1] == "hit"
        assert (await read(http, DETAIL, slug=elsewhere))[1] == "hit"
        assert (await read(http, FEED, region="35"))[1] == "hit"


async def test_a_correction_that_moves_an_article_drops_the_lists_it_left_and_joined(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    moved = await published(sessions, newsroom["64"], "64")
    await published(sessions, newsroom["35"], "35")
    async with sessions() as session:
        from sqlalchemy import select

        from hub.db.models import Article

        moved_id = await session.scalar(select(Article.id).where(Article.slug == moved))
    assert moved_id is not None
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        before = {region: (await read(http, FEED, region=region))[0] for region in PROVINCES}
        # Kalimantan Timur -> Jawa Timur: 64's feed loses it, 35's gains it, Bali's (51)
        # is untouched.
        await desk.correct(moved_id, note="Wilayah liputan diperbaiki", regionCodes=["35.78"])
        await settled(http, sessions)
        after = {}
        for region in PROVINCES:
            after[region], state = await read(http, FEED, region=region)
            assert state == ("hit" if region == "51" else "miss"), region
        assert moved in slugs(before["64"]) - slugs(after["64"])
        assert moved in slugs(after["35"]) - slugs(before["35"])
        assert after["51"] == before["51"]


PROVINCES = ("64", "35", "51")


async def test_an_approval_drops_a_cached_null_look_up_of_it(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    waiting = await submitted(sessions, newsroom["35"], "35")
    slug = await slug_of(sessions, waiting)
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        assert await read(http, DETAIL, slug=slug) == ({"article": None}, "miss")
        assert await read(http, DETAIL, slug=slug) == ({"article": None}, "hit")
        await desk.approve(waiting)
        await settled(http, sessions)
        detail, state = await read(http, DETAIL, slug=slug)
        assert (detail["article"]["slug"], state) == (slug, "miss")


async def test_only_anonymous_queries_without_errors_are_cached(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        signed_in = await http.post(
            "/graphql", json={"query": FEED, "variables": {"region": "64"}}, headers=desk.headers
        )
        assert "x-cache" not in signed_in.headers
        bad = {"query": FEED, "variables": {"region": "99.99"}}
        for _ in range(2):
            refused = await http.post("/graphql", json=bad)
            assert refused.json()["errors"]
            assert refused.headers["x-cache"] == "miss"
        # A mutation is never answered from the cache, even sent twice alike.
        login = {
            "query": 'mutation { login(email: "nobody@hub.test", password: "x") '
            "{ errors { code } } }"
        }
        for _ in range(2):
            assert (await http.post("/graphql", json=login)).headers["x-cache"] == "miss"


async def test_a_change_through_one_process_drops_the_other_process_answer(
    database_url: str, sessions: Sessions, newsroom: dict[str, str], tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path)
    env = clean_env(
        HUB_DATABASE_URL=database_url,
        HUB_RESPONSE_CACHE_BYTES=str(CACHE_ON["response_cache_bytes"]),
        HUB_QUOTA_ANONYMOUS_REQUESTS="0",
        HUB_QUOTA_ANONYMOUS_COST="0",
        HUB_AUTO_MIGRATE="false",
    )
    writer, reader = ServerProcess(env), ServerProcess(env)
    try:
        await asyncio.gather(writer.ready(), reader.ready())
        waiting = await submitted(sessions, newsroom["64"], "64")
        async with (
            httpx.AsyncClient(base_url=reader.url, timeout=30) as http,
            Desk.at(writer.url, sessions, settings, agencies=list(newsroom.values())) as desk,
        ):
            before, _ = await read(http, FEED, region="64")
            assert (await read(http, FEED, region="64"))[1] == "hit"
            await desk.approve(waiting)
            await settled(http, sessions)
            after, state = await read(http, FEED, region="64")
            assert state == "miss"
            assert slugs(after) == slugs(before) | {await slug_of(sessions, waiting)}
            assert await metric(http, "hub_response_cache_invalidations_total") == 1
    finally:
        writer.stop()
        reader.stop()


EVENTS = 'query Events { events(region: "64", first: 10) { nodes { slug title } } }'
EVENT = "query Event($slug: String!) { event(slug: $slug) { title version } }"
CREATE_EVENT = """
mutation ($input: CreateEventInput!) {
  createEvent(input: $input) { event { slug } errors { code message } }
}
"""
UPDATE_EVENT = """
mutation ($input: UpdateEventInput!) {
  updateEvent(input: $input) { event { title } errors { code message } }
}
"""


async def test_event_changes_drop_the_event_and_event_lists_but_not_article_lists(
    server: tuple[str, Settings], sessions: Sessions, newsroom: dict[str, str]
) -> None:
    url, settings = server
    await published(sessions, newsroom["64"], "64")
    slug = "rapat-koordinasi-tembolok"
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        Desk.at(url, sessions, settings, agencies=list(newsroom.values())) as desk,
    ):
        for _ in range(2):
            await read(http, EVENTS)
            await read(http, FEED, region="64")
        assert await read(http, EVENT, slug=slug) == ({"event": None}, "miss")

        created = await desk.gql(
            CREATE_EVENT,
            {
                "input": {
                    "organiserSlug": newsroom["64"],
                    "title": "Rapat koordinasi",
                    "slug": slug,
                    "startsOn": "2024-02-01",
                    "regionCode": "64.71",
                }
            },
            headers=desk.headers,
        )
        assert created["createEvent"]["errors"] == []
        await settled(http, sessions)
        events, state = await read(http, EVENTS)
        assert state == "miss"
        assert slug in {node["slug"] for node in events["events"]["nodes"]}
        assert (await read(http, EVENT, slug=slug))[1] == "miss"
        assert (await read(http, FEED, region="64"))[1] == "hit"

        updated = await desk.gql(
            UPDATE_EVENT,
            {"input": {"slug": slug, "version": 1, "title": "Rapat koordinasi pengawasan"}},
            headers=desk.headers,
        )
        assert updated["updateEvent"]["errors"] == []
        await settled(http, sessions)
        event, state = await read(http, EVENT, slug=slug)
        assert (event["event"]["title"], state) == ("Rapat koordinasi pengawasan", "miss")
        assert (await read(http, FEED, region="64"))[1] == "hit"
