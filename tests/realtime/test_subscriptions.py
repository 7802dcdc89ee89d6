"""articlePublished / eventUpdated over a real WebSocket against a real server."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Event
from hub.db.repositories.outbox import record_event_change
from hub.settings import Settings
from hub.vocabulary import ArticleStatus
from tests.factories import OpenDesk, add_article, ensure_agency, ensure_event
from tests.live_client import LEGACY_WS, LiveClient
from tests.servers import serving

Sessions = async_sessionmaker[AsyncSession]


async def collect(client: LiveClient, count: int) -> dict[str, list[dict[str, Any]]]:
    by_operation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _ in range(count):
        message = await client.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        by_operation[message["id"]].append(message["payload"]["data"]["articlePublished"])
    await client.quiet(0.4)
    return by_operation


async def test_filters_deliver_exactly_the_matching_articles(
    address: str, sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="kpu-kaltim", type_code="kpu", region_code="64")
    await ensure_agency(sessions, slug="bawaslu-jatim", type_code="bawaslu", region_code="35")
    forum = await ensure_event(sessions, slug="debat-publik")
    desk = await open_desk(f"http://{address}", "kpu-kaltim", "bawaslu-jatim")
    in_city = await add_article(
        sessions, agency_slug="kpu-kaltim", regions=["64.71"], stages=["kampanye"]
    )
    elsewhere = await add_article(
        sessions, agency_slug="bawaslu-jatim", regions=["35.78"], stages=["pemungutan_suara"]
    )
    province = await add_article(
        sessions,
        agency_slug="bawaslu-jatim",
        regions=["64"],
        stages=["kampanye"],
        tags=["debat"],
        event_id=forum,
    )
    filters = {
        "province": {"regionCode": "64"},
        "city": {"regionCode": "64.71"},
        "agency": {"agencySlug": "bawaslu-jatim"},
        "stage": {"stageCode": "kampanye"},
        "type": {"agencyType": "kpu"},
        "tag": {"tagSlug": "debat"},
        "event": {"eventSlug": "debat-publik"},
        "combined": {"regionCode": "64", "agencyType": "bawaslu"},
        "all": {},
    }
    expected = {
        "province": [in_city, province],
        "city": [in_city],
        "agency": [elsewhere, province],
        "stage": [in_city, province],
        "type": [in_city],
        "tag": [province],
        "event": [province],
        "combined": [province],
        "all": [in_city, elsewhere, province],
    }
    async with LiveClient.connect(f"ws://{address}/graphql") as client:
        for name, filter_ in filters.items():
            await client.subscribe_articles(name, **filter_)
        await client.quiet(0.3)
        for article in (in_city, elsewhere, province):
            await desk.approve(article)
        received = await collect(client, sum(len(ids) for ids in expected.values()))
    slugs = await slugs_by_id(sessions)
    for name, ids in expected.items():
        assert [event["article"]["slug"] for event in received[name]] == [slugs[i] for i in ids], (
            name
        )
        assert {event["kind"] for event in received[name]} == {"APPROVED"}


async def slugs_by_id(sessions: Sessions) -> dict[int, str]:
    async with sessions() as session:
        return dict((await session.execute(text("SELECT id, slug FROM articles"))).all())  # type: ignore[arg-type]


async def test_resume_replays_the_gap_then_goes_live(
    address: str, sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="diskominfo-kaltim-uji")
    desk = await open_desk(f"http://{address}", "diskominfo-kaltim-uji")
    articles = [
        await add_article(sessions, agency_slug="diskominfo-kaltim-uji", regions=["64"])
        for _ in range(7)
    ]
    draft = await add_article(
        sessions, agency_slug="diskominfo-kaltim-uji", status=ArticleStatus.DRAFT, regions=["64"]
    )
    url = f"ws://{address}/graphql"
    async with LiveClient.connect(url) as client:
        await client.subscribe_articles("1", regionCode="64")
        await client.quiet(0.2)
        await desk.approve(articles[0])
        await desk.approve(articles[1])
        first = await client.events(2)
    last_cursor = first[-1]["cursor"]
    for article in articles[2:5]:  # approved while the client is away
        await desk.approve(article)
    await desk.submit(draft)  # review-queue changes in between are not replayed here
    await desk.reject(articles[6])
    await desk.correct(articles[0])
    async with LiveClient.connect(url) as client:
        await client.subscribe_articles("1", after=last_cursor, regionCode="64")
        missed = await client.events(4)
        await desk.approve(articles[5])
        (live,) = await client.events(1)
        await client.quiet(0.3)
    slugs = await slugs_by_id(sessions)
    assert [e["article"]["slug"] for e in missed] == [
        slugs[articles[2]],
        slugs[articles[3]],
        slugs[articles[4]],
        slugs[articles[0]],
    ]
    assert [e["kind"] for e in missed] == ["APPROVED", "APPROVED", "APPROVED", "CORRECTED"]
    assert live["article"]["slug"] == slugs[articles[5]]
    cursors = [e["cursor"] for e in (*first, *missed, live)]
    assert len(set(cursors)) == len(cursors)


async def test_bad_filters_and_cursors_get_clear_errors(address: str, sessions: Sessions) -> None:
    cases = [
        ({"filter": {"regionCode": "99"}}, "INVALID_INPUT", "filter.regionCode"),
        ({"filter": {"agencySlug": "tidak-ada"}}, "INVALID_INPUT", "filter.agencySlug"),
        ({"filter": {"stageCode": "bukan_tahapan"}}, "INVALID_INPUT", "filter.stageCode"),
        ({"filter": {"agencyType": "x"}}, "INVALID_INPUT", "filter.agencyType"),
        ({"filter": {"tagSlug": "tak-dikenal"}}, "INVALID_INPUT", "filter.tagSlug"),
        ({"filter": {"eventSlug": "tak-ada"}}, "INVALID_INPUT", "filter.eventSlug"),
        ({"after": "bukan-kursor"}, "INVALID_INPUT", "after"),
    ]
    async with LiveClient.connect(f"ws://{address}/graphql") as client:
        for number, (variables, code, field) in enumerate(cases):
            await client.subscribe(str(number), variables=variables)
            message = await client.receive()
            assert message["type"] == "error", message
            assert message["id"] == str(number)
            (error,) = message["payload"]
            assert error["extensions"] == {"code": code, "field": field}, error
        await client.subscribe("typo", "subscription { articlePublished { nope } }")
        message = await client.receive()
        assert message["type"] == "error"
        assert "Cannot query field 'nope'" in message["payload"][0]["message"]


async def test_expired_cursor_is_an_explicit_error(
    live_settings: Settings, sessions: Sessions, open_desk: OpenDesk
) -> None:
    # The rows are aged in the database only: with no recent history in memory, the
    # outbox decides.
    async with serving(live_settings.model_copy(update={"live_history_size": 0})) as address:
        await expired_cursors_are_refused(address, sessions, open_desk)


async def expired_cursors_are_refused(
    address: str, sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="humas-uji")
    desk = await open_desk(f"http://{address}", "humas-uji")
    articles = [await add_article(sessions, agency_slug="humas-uji") for _ in range(2)]
    async with LiveClient.connect(f"ws://{address}/graphql") as client:
        await client.subscribe_articles("live")
        await client.quiet(0.2)
        for article in articles:
            await desk.approve(article)
        _, event = await client.events(2)
        async with sessions() as session, session.begin():
            await session.execute(text("UPDATE outbox SET created_at = now() - interval '8 days'"))
        # The cursor of an 8-day-old approval is past the 7-day window.
        await client.subscribe_articles("resume", after=event["cursor"])
        message = await client.receive()
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"] == {"code": "CURSOR_EXPIRED", "field": "after"}
        assert "7-day" in message["payload"][0]["message"]
        # Resuming from before the old rows would replay beyond the window, too.
        await client.subscribe_articles("origin", after="MC4w")
        assert (await client.receive())["payload"][0]["extensions"]["code"] == "CURSOR_EXPIRED"


async def test_event_updates_and_legacy_protocol(address: str, sessions: Sessions) -> None:
    event_id = await ensure_event(sessions, slug="forum-uji")
    query = "subscription($slug: String!) { eventUpdated(slug: $slug) { cursor event { slug } } }"
    async with LiveClient.connect(f"ws://{address}/graphql", protocol=LEGACY_WS) as client:
        await client.subscribe("ev", query, {"slug": "forum-uji"})
        await client.quiet(0.3)
        async with sessions() as session, session.begin():
            event = await session.get(Event, event_id)
            assert event is not None
            event.version += 1
            await record_event_change(session, event=event)
        message = await client.receive()
        assert message["type"] == "data"
        assert message["id"] == "ev"
        assert message["payload"]["data"]["eventUpdated"]["event"] == {"slug": "forum-uji"}


async def test_queries_over_the_socket_and_subscriptions_refused_over_http(address: str) -> None:
    async with LiveClient.connect(f"ws://{address}/graphql") as client:
        await client.subscribe("q", '{ liveCursor region(code: "64") { name } }')
        message = await client.receive()
        assert message["type"] == "next"
        assert message["payload"]["data"]["region"] == {"name": "Kalimantan Timur"}
        assert (await client.receive()) == {"id": "q", "type": "complete"}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"http://{address}/graphql",
            json={"query": "subscription { articlePublished { cursor } }"},
        )
    assert response.status_code == 400
    assert "WebSocket" in response.text
