"""Error handling: an unexpected failure is masked — a fixed message and the request's id, no
exception text, no stack trace, nothing of the configuration — and logged in full with that id;
refusals before GraphQL runs stay GraphQL-shaped and say no more than the client sent."""

from __future__ import annotations

import logging

import httpx
import pytest

from hub.resolvers import region as region_resolvers

SECRET = "postgresql://hub:kata-rahasia-db@10.0.0.5:5432/hub"


async def fails(*_: object, **__: object) -> None:
    raise RuntimeError(f"could not reach {SECRET}")


async def test_an_unexpected_failure_is_masked_and_logged(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(region_resolvers, "get_region", fails)
    with caplog.at_level(logging.ERROR, logger="hub.graphql"):
        response = await http.post(
            "/graphql", json={"query": '{ region(code: "64") { name } liveCursor }'}
        )
    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 3}],
            "path": ["region"],
            "extensions": {"requestId": request_id},
        }
    ]
    assert body["data"]["liveCursor"] is not None  # the rest of the answer is unharmed
    for leak in ("kata-rahasia", "RuntimeError", "Traceback", 'File "', "hub/"):
        assert leak not in response.text, leak
    (record,) = [r for r in caplog.records if r.name == "hub.graphql"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])


async def test_refusals_are_shaped_and_echo_nothing_internal(http: httpx.AsyncClient) -> None:
    cases = [
        {"query": "{ nope }"},  # validation
        {"query": "{ region(code: 64) { name } }"},  # a literal of the wrong type
        {"query": "query ($c: String!) { region(code: $c) { name } }", "variables": {"c": [1]}},
        {"query": "{ region("},  # syntax
    ]
    for payload in cases:
        response = await http.post("/graphql", json=payload)
        assert response.status_code in (200, 400), response.text
        for error in response.json()["errors"]:
            assert set(error) <= {"message", "locations", "path", "extensions"}, error
            assert set(error.get("extensions", {})) <= {"requestId", "code", "field"}, error
            for leak in ("Traceback", "hub/", "site-packages", "None"):
                assert leak not in error["message"], error
