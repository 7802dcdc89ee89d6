"""Subscriptions over Server-Sent Events (graphql-sse, both modes) against a real server,
read with a real streaming HTTP client as a browser's EventSource would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article
from hub.settings import Settings
from tests.factories import add_article, ensure_agency
from tests.live_client import LiveClient
from tests.realtime.factories import approve_article
from tests.servers import serving
from tests.sse_client import ARTICLES, EventReader, open_stream, subscription_params

Sessions = async_sessionmaker[AsyncSession]
TOKEN = "x-graphql-event-stream-token"


@pytest.fixture
async def client(address: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as http:
        yield http


async def articles(sessions: Sessions, count: int, agency: str = "kpu-sse") -> list[int]:
    await ensure_agency(sessions, slug=agency, type_code="kpu", region_code="64")
    return [
        await add_article(sessions, agency_slug=agency, regions=["64.71"]) for _ in range(count)
    ]


async def next_changes(reader: EventReader, count: int) -> list[tuple[str | None, dict[str, str]]]:
    """``count`` next events: (SSE id, the change), asserting there is no error."""
    seen = []
    for _ in range(count):
        event = await reader.next()
        assert event.event == "next", event
        assert "errors" not in event.data, event
        seen.append((event.id, event.data["data"]["articlePublished"]))
    return seen


async def test_each_event_id_is_its_cursor_and_last_event_id_resumes_exactly(
    client: httpx.AsyncClient, sessions: Sessions
) -> None:
    batch = await articles(sessions, 5)
    params = subscription_params(variables={"filter": {"regionCode": "64"}})
    async with open_stream(client, "GET", "/graphql", params=params) as reader:
        assert reader.response.status_code == 200
        assert reader.response.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.3)  # subscribed
        for article in batch[:3]:
            await approve_article(sessions, article)
        before = await next_changes(reader, 3)
    assert [event_id for event_id, _ in before] == [change["cursor"] for _, change in before]

    for article in batch[3:]:  # while nobody listens
        await approve_article(sessions, article)
    # The browser reconnects to the same URL, sending the last id it saw.
    headers = {"last-event-id": before[-1][1]["cursor"]}
    async with open_stream(client, "GET", "/graphql", params=params, headers=headers) as reader:
        missed = await next_changes(reader, 2)
        await reader.quiet(0.8)
    slugs = [change["article"]["slug"] for _, change in (*before, *missed)]
    assert slugs == await slugs_of(sessions, batch)


async def slugs_of(sessions: Sessions, ids: list[int]) -> list[str]:
    async with sessions() as session:
        rows = {row.id: row.slug for row in await session.execute(select(Article.id, Article.slug))}
    return [rows[article_id] for article_id in ids]


async def test_post_stream_resumes_after_the_later_of_after_and_last_event_id(
    client: httpx.AsyncClient, sessions: Sessions
) -> None:
    batch = await articles(sessions, 4)
    cursor = (await client.post("/graphql", json={"query": "{ liveCursor }"})).json()["data"][
        "liveCursor"
    ]
    for article in batch:
        await approve_article(sessions, article)
    body = {"query": ARTICLES, "variables": {"after": cursor}}
    async with open_stream(client, "POST", "/graphql", json=body) as reader:
        replayed = await next_changes(reader, 4)
    # A retry of the same request, which still says `after: <original>`, with the last id.
    headers = {"last-event-id": replayed[1][0] or ""}
    async with open_stream(client, "POST", "/graphql", json=body, headers=headers) as reader:
        again = await next_changes(reader, 2)
        await reader.quiet(0.8)
    assert again == replayed[2:]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"query": "subscription { articlePublished { nope } }"}, "Cannot query field 'nope'"),
        ({"query": "subscription {"}, "Syntax Error"),
        (
            {"query": ARTICLES, "variables": {"filter": {"regionCode": "99.99"}}},
            "Unknown region code `99.99`",
        ),
        ({"query": ARTICLES, "variables": {"after": "bm90LWEtY3Vyc29y"}}, "is not a cursor"),
        (
            {"query": 'subscription { reviewQueue(agencySlug: "kpu-sse") { cursor } }'},
            "log in (Bearer access token) or use an API key to do this",
        ),
    ],
)
async def test_operation_errors_come_as_a_next_event_then_complete(
    client: httpx.AsyncClient, request_: dict[str, object], message: str
) -> None:
    async with open_stream(client, "POST", "/graphql", json=request_) as reader:
        assert reader.response.status_code == 200
        error = await reader.next()
        assert error.event == "next"
        assert message in error.data["errors"][0]["message"]
        assert (await reader.next()).event == "complete"
        assert await reader.ended()


async def test_a_bad_last_event_id_is_a_clear_error(client: httpx.AsyncClient) -> None:
    headers = {"last-event-id": "garbage"}
    async with open_stream(
        client, "GET", "/graphql", params=subscription_params(), headers=headers
    ) as reader:
        error = await reader.next()
        assert error.data["errors"][0]["message"] == (
            "The resume cursor is not a cursor issued by this service"
        )
        assert error.data["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        assert (await reader.next()).event == "complete"


async def test_queries_stream_one_result_and_mutations_need_post(
    client: httpx.AsyncClient,
) -> None:
    params = {"query": "{ liveCursor }"}
    async with open_stream(client, "GET", "/graphql", params=params) as reader:
        result = await reader.next()
        assert result.event == "next"
        assert result.id is None  # not a change: nothing to resume from
        assert isinstance(result.data["data"]["liveCursor"], str)
        assert (await reader.next()).event == "complete"
    params = {"query": "mutation { logout { __typename } }"}
    async with open_stream(client, "GET", "/graphql", params=params) as reader:
        error = (await reader.next()).data["errors"][0]
        assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_requests_that_are_not_graphql_and_bad_credentials_are_refused(
    client: httpx.AsyncClient,
) -> None:
    stream = {"accept": "text/event-stream"}
    malformed = await client.post(
        "/graphql", content=b"{", headers={**stream, "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["message"] == "Unable to parse request body as JSON"
    wrong_type = await client.post("/graphql", content=b"x", headers=stream)
    assert wrong_type.status_code == 415
    bad_key = await client.get(
        "/graphql",
        params=subscription_params(),
        headers={**stream, "authorization": "Bearer not-a-token"},
    )
    assert bad_key.status_code == 401
    assert bad_key.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_single_connection_mode_reserve_open_operate_complete(
    client: httpx.AsyncClient, sessions: Sessions
) -> None:
    batch = await articles(sessions, 2)
    reserved = await client.put("/graphql")
    assert reserved.status_code == 201
    token = reserved.text
    headers = {TOKEN: token}
    async with open_stream(client, "GET", "/graphql", headers=headers) as reader:
        again = await client.get("/graphql", headers={**headers, "accept": "text/event-stream"})
        assert again.status_code == 409
        started = await client.post(
            "/graphql",
            headers=headers,
            json={"query": ARTICLES, "extensions": {"operationId": "feed"}},
        )
        assert started.status_code == 202
        duplicate = await client.post(
            "/graphql",
            headers=headers,
            json={"query": ARTICLES, "extensions": {"operationId": "feed"}},
        )
        assert duplicate.status_code == 409
        invalid = await client.post(
            "/graphql",
            headers=headers,
            json={"query": "subscription { nope }", "extensions": {"operationId": "x"}},
        )
        assert invalid.status_code == 400
        assert "nope" in invalid.json()["errors"][0]["message"]
        query = await client.post(
            "/graphql",
            headers=headers,
            json={"query": "{ liveCursor }", "extensions": {"operationId": "q"}},
        )
        assert query.status_code == 202
        answer = await reader.next()
        assert answer.data["id"] == "q"
        assert "liveCursor" in answer.data["payload"]["data"]
        assert (await reader.next()).data == {"id": "q"}
        await asyncio.sleep(0.3)
        await approve_article(sessions, batch[0])
        delivered = await reader.next()
        assert delivered.data["id"] == "feed"
        assert delivered.id == delivered.data["payload"]["data"]["articlePublished"]["cursor"]
        completed = await client.delete("/graphql", params={"operationId": "feed"}, headers=headers)
        assert completed.status_code == 200
        assert (await reader.next()).data == {"id": "feed"}
        await approve_article(sessions, batch[1])
        await reader.quiet(0.8)
    # The token was for that one stream.
    gone = await client.post(
        "/graphql", headers=headers, json={"query": ARTICLES, "extensions": {"operationId": "a"}}
    )
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_STREAM_TOKEN"
    unknown = await client.get(
        "/graphql", headers={TOKEN: "made-up", "accept": "text/event-stream"}
    )
    assert unknown.status_code == 404


async def test_streams_share_the_websocket_limits_and_keep_alive(
    live_settings: Settings,
) -> None:
    settings = live_settings.model_copy(
        update={"ws_max_per_address": 1, "live_keepalive_interval": 0.2}
    )
    async with (
        serving(settings) as address,
        httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as client,
        open_stream(client, "GET", "/graphql", params=subscription_params()) as reader,
    ):
        refused = await client.get(
            "/graphql", params=subscription_params(), headers={"accept": "text/event-stream"}
        )
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_CONNECTIONS"
        with pytest.raises(Exception, match="429"):
            async with LiveClient.connect(f"ws://{address}/graphql"):
                pass
        stats = (await client.get("/health/realtime")).json()
        assert stats["eventStreams"] == 1
        assert stats["subscribers"] == 1
        await reader.quiet(1.0)  # (ends the reading: last)
        assert reader.comments >= 3  # keep-alive comments, no events


async def test_shutdown_ends_open_streams_without_complete(live_settings: Settings) -> None:
    async with serving(live_settings) as address:
        client = httpx.AsyncClient(base_url=f"http://{address}", timeout=30)
        request = client.build_request(
            "GET",
            "/graphql",
            params=subscription_params(),
            headers={"accept": "text/event-stream"},
        )
        response = await client.send(request, stream=True)
        reader = EventReader(response)
        await asyncio.sleep(0.3)
    # Leaving ``serving`` shut the server down; it did not wait for the stream.
    assert await reader.ended(within=5)
    await response.aclose()
    await client.aclose()


async def test_multipart_subscriptions_for_apollo_clients(
    client: httpx.AsyncClient, sessions: Sessions
) -> None:
    batch = await articles(sessions, 1)
    headers = {"accept": 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json'}
    received = b""
    async with client.stream(
        "POST", "/graphql", json={"query": ARTICLES}, headers=headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == (
            'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"'
        )
        await asyncio.sleep(0.3)
        await approve_article(sessions, batch[0])
        async with asyncio.timeout(30):
            async for chunk in response.aiter_bytes():
                received += chunk
                if b"payload" in received:
                    break
    parts = [part for part in received.split(b"\r\n--graphql") if part.strip()]
    bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1]) for part in parts]
    assert bodies[0] == {}  # a heartbeat: the response has started
    (change,) = [body["payload"]["data"]["articlePublished"] for body in bodies if body]
    assert change["article"]["slug"] == (await slugs_of(sessions, batch))[0]

    invalid = {"query": "subscription { nope }"}
    async with client.stream("POST", "/graphql", json=invalid, headers=headers) as response:
        whole = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert b"Cannot query field 'nope'" in whole
    assert whole.endswith(b"\r\n--graphql--\r\n")
