"""HTTP caching and compression of ``/graphql`` answers: ETags and conditional GETs for
anonymous queries, nothing shared for viewers with credentials or for POST, gzip/br above the
threshold, streamed responses left alone."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from hub.http.caching import matches
from hub.http.compression import CompressionMiddleware, chosen_coding
from hub.settings import Settings
from hub.vocabulary import ArticleStatus
from tests.factories import Sessions, add_account, add_article, ensure_agency, headers_for
from tests.helpers import GraphQLClient
from tests.servers import serving

QUERY = '{ region(code: "64") { name } }'
LIST = "{ articles(first: 50) { totalCount nodes { title slug summary } } }"
BROTLI = importlib.util.find_spec("brotli") is not None


async def test_anonymous_get_queries_are_shareable_and_revalidated(
    database_url: str, http: httpx.AsyncClient
) -> None:
    response = await http.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=10, stale-while-revalidate=30"
    vary = {part.strip() for part in response.headers["vary"].split(",")}
    assert {"Accept", "Authorization", "Accept-Encoding"} <= vary
    tag = response.headers["etag"]
    assert tag.startswith('W/"')

    again = await http.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    listed = await http.get(
        "/graphql", params={"query": QUERY}, headers={"If-None-Match": f'"x", {tag[2:]}'}
    )
    assert listed.status_code == 304
    stale = await http.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200
    assert stale.json()["data"] == {"region": {"name": "Kalimantan Timur"}}


async def test_a_change_changes_the_tag(
    database_url: str, http: httpx.AsyncClient, sessions: Sessions
) -> None:
    query = "{ articles(first: 5) { totalCount } }"
    before = await http.get("/graphql", params={"query": query})
    await ensure_agency(sessions, slug="diskominfo-etag")
    await add_article(sessions, agency_slug="diskominfo-etag", status=ArticleStatus.APPROVED)
    after = await http.get(
        "/graphql", params={"query": query}, headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]


async def test_viewers_with_credentials_get_private_answers(
    database_url: str,
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    sessions: Sessions,
    settings: Settings,
) -> None:
    await add_account(sessions, settings, "pembaca@example.go.id")
    headers = await headers_for(gql, "pembaca@example.go.id")
    response = await http.get("/graphql", params={"query": QUERY}, headers=headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize(
    "request_",
    [
        {"method": "POST", "json": {"query": QUERY}},
        {"method": "POST", "json": {"query": "mutation { logout { errors { code } } }"}},
        {"method": "GET", "params": {"query": '{ region(code: "64") { nope } }'}},
    ],
    ids=["POST query", "mutation", "errors"],
)
async def test_nothing_else_is_stored(
    database_url: str, http: httpx.AsyncClient, request_: dict[str, object]
) -> None:
    response = await http.request(url="/graphql", **request_)  # type: ignore[arg-type]
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br" if BROTLI else "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("*", "br" if BROTLI else "gzip"),
        ("gzip;q=0", None),
        (None, None),
    ],
)
def test_coding_choice(accept_encoding: str | None, coding: str | None) -> None:
    assert chosen_coding(accept_encoding) == coding


async def test_large_answers_are_compressed_over_real_http(
    full_demo: str, tmp_path: Path, settings: Settings
) -> None:
    async with serving(settings) as address, httpx.AsyncClient() as client:
        url = f"http://{address}/graphql"
        plain = await client.get(
            url, params={"query": LIST}, headers={"Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
        assert len(plain.content) > 5000
        zipped = await client.get(url, params={"query": LIST}, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert int(zipped.headers["content-length"]) < len(plain.content) / 3
        assert zipped.json() == plain.json()  # httpx decoded it
        assert zipped.headers["etag"] == plain.headers["etag"]
        small = await client.get(url, params={"query": QUERY}, headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers
        if BROTLI:
            brotli = await client.get(
                url, params={"query": LIST}, headers={"Accept-Encoding": "br"}
            )
            assert brotli.headers["content-encoding"] == "br"
            assert int(brotli.headers["content-length"]) < len(plain.content) / 3
            assert brotli.json() == plain.json()  # decoded by httpx (with brotli installed)


async def test_streamed_responses_pass_untouched() -> None:
    async def events(_: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"data: {'x' * 2000} {number}\n\n".encode()

        return StreamingResponse(chunks(), media_type="text/event-stream")

    app = Starlette(
        routes=[Route("/events", events)],
        middleware=[Middleware(CompressionMiddleware, min_bytes=10)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/events", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text.count("data: ") == 3


def test_weak_comparison() -> None:
    assert matches('W/"abc"', 'W/"abc"')
    assert matches('"abc"', 'W/"abc"')
    assert matches("*", 'W/"abc"')
    assert not matches('"abd"', 'W/"abc"')
    assert not matches(None, 'W/"abc"')


async def test_event_streams_get_their_headers_at_once() -> None:
    """A stream's headers are not held back until its first event (an EventSource opens on
    them), and its events pass as they are."""
    sent: list[Message] = []
    first_event = asyncio.Event()
    event = b"data: " + b"x" * 3000 + b"\n\n"

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": [(b"content-type", b"text/event-stream")]})
        await first_event.wait()
        await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def record(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"accept-encoding", b"gzip")],
    }
    running = asyncio.create_task(
        CompressionMiddleware(stream, min_bytes=10)(scope, receive, record)
    )
    for _ in range(10):
        await asyncio.sleep(0)  # let the stream send what it has
    assert [message["type"] for message in sent] == ["http.response.start"]
    first_event.set()
    await running
    assert sent[1]["body"] == event
