"""``/graphql`` over HTTP: what is refused before GraphQL runs, and how, and abandoned requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.types import Message

from hub.http.endpoint import until_disconnect

QUERY = '{ region(code: "64") { name } }'


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_get_and_post_queries(database_url: str, http: httpx.AsyncClient) -> None:
    by_get = await http.get("/graphql", params={"query": QUERY})
    by_post = await http.post("/graphql", json={"query": QUERY})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json() == {"data": {"region": {"name": "Kalimantan Timur"}}}


@pytest.mark.parametrize("method", ["DELETE", "PATCH"])  # PUT reserves an event stream
async def test_other_methods_are_refused(
    database_url: str, http: httpx.AsyncClient, method: str
) -> None:
    response = await http.request(method, "/graphql", json={"query": QUERY})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert error_code(response) == "METHOD_NOT_ALLOWED"


async def test_mutation_over_get_is_refused(database_url: str, http: httpx.AsyncClient) -> None:
    mutation = "mutation { logout { errors { code } } }"
    response = await http.get("/graphql", params={"query": mutation})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"query": ', "application/json", 400, "BAD_REQUEST"),
        (b"[1, 2]", "application/json", 400, "BAD_REQUEST"),
        (b'{"query": 1}', "application/json", 400, "BAD_REQUEST"),
        (b'{"query": "{ liveCursor }", "variables": []}', "application/json", 400, "BAD_REQUEST"),
        (b"{ liveCursor }", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"variables": {}}', "application/json", 400, "BAD_REQUEST"),
    ],
)
async def test_malformed_requests_get_graphql_shaped_errors(
    database_url: str,
    http: httpx.AsyncClient,
    content: bytes,
    content_type: str,
    status: int,
    code: str,
) -> None:
    response = await http.post("/graphql", content=content, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert error_code(response) == code


async def test_unknown_operation_name(database_url: str, http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": QUERY, "operationName": "Nope"})
    assert response.status_code == 400
    assert "Nope" in response.json()["errors"][0]["message"]


async def test_oversized_bodies_are_refused_unread(
    database_url: str, http: httpx.AsyncClient
) -> None:
    limit = 2 * 1024 * 1024
    padding = " " * limit
    declared = await http.post(
        "/graphql",
        content=f'{{"query": "{padding}{{ liveCursor }}"}}'.encode(),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert error_code(declared) == "REQUEST_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "'
        for _ in range(3):
            yield b" " * (limit // 2)
        yield b'{ liveCursor }"}'

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_work_is_cancelled_when_the_client_leaves() -> None:
    left = asyncio.Event()
    messages: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await left.wait()
        return {"type": "http.disconnect"}

    cancelled = asyncio.Event()

    async def slow() -> str:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "done"

    async def leave_soon() -> None:
        await asyncio.sleep(0.05)
        left.set()

    leaving = asyncio.create_task(leave_soon())
    assert await asyncio.wait_for(until_disconnect(receive, slow()), 5) is None
    assert cancelled.is_set()
    await leaving


async def test_work_finishing_first_is_answered() -> None:
    async def receive() -> Message:
        await asyncio.Event().wait()  # the client stays
        raise AssertionError("unreachable")

    async def quick() -> Any:
        return {"ok": True}

    assert await until_disconnect(receive, quick()) == {"ok": True}
