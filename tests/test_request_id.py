"""X-Request-ID: accepted when sensible, made up otherwise, returned, and in every error."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers import GraphQLClient

BAD_QUERY = "{ articles(first: 100000) { totalCount } }"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("5f1c2a9e-7d7b-4b8e-9a53-0c6f3bf0d9e1", True),
        ("lb:trace/42+x=y@edge", True),
        ("has spaces", False),
        ('quote"d', False),
        ("x" * 129, False),
        (None, False),
    ],
)
async def test_request_id_is_returned_and_in_errors(
    http: httpx.AsyncClient, sent: str | None, kept: bool
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = await http.post("/graphql", json={"query": BAD_QUERY}, headers=headers)
    returned = response.headers["x-request-id"]
    if kept:
        assert returned == sent
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", returned), returned
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == returned


async def test_each_request_gets_its_own_id(http: httpx.AsyncClient, gql: GraphQLClient) -> None:
    ids = {(await http.get("/health/live")).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
    [error] = await gql.errors(BAD_QUERY)  # the helper checks requestId against the header
    assert error["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"content": b"{", "headers": {"content-type": "application/json"}}, 400),
        ({"json": {"query": "{ liveCursor }"}, "headers": {"authorization": "Bearer nope"}}, 401),
        ({"content": b"{ liveCursor }", "headers": {"content-type": "text/plain"}}, 415),
    ],
)
async def test_refused_requests_name_their_request_id(
    http: httpx.AsyncClient, request_kwargs: dict[str, object], status: int
) -> None:
    headers = {**request_kwargs.pop("headers"), "X-Request-ID": "refused-1"}  # type: ignore[dict-item]
    response = await http.post("/graphql", headers=headers, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["x-request-id"] == "refused-1"
    assert response.json()["errors"][0]["extensions"]["requestId"] == "refused-1"
