"""GraphQL over HTTP as the specification says: ``application/graphql-response+json`` by
``Accept``, 400 for requests that fail before execution; ``application/json`` unchanged; and
the graphql-http package's server audits, run with Node."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from hub.http.negotiation import media_type
from tests.factories import settings_for
from tests.npm import run_node
from tests.servers import serving

GRAPHQL_RESPONSE = "application/graphql-response+json"
BROKEN = {
    "parse": {"query": "{ region(code: "},
    "validation": {"query": '{ region(code: "64") { nope } }'},
    "variables": {"query": "query ($c: String!) { region(code: $c) { name } }", "variables": {}},
}


@pytest.mark.parametrize("kind", list(BROKEN))
async def test_requests_that_never_executed_are_400_without_data(
    database_url: str, http: httpx.AsyncClient, kind: str
) -> None:
    response = await http.post("/graphql", json=BROKEN[kind], headers={"Accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


@pytest.mark.parametrize("kind", list(BROKEN))
async def test_application_json_keeps_200(
    database_url: str, http: httpx.AsyncClient, kind: str
) -> None:
    response = await http.post("/graphql", json=BROKEN[kind])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"]


async def test_executed_requests_are_200_in_either_type(
    database_url: str, http: httpx.AsyncClient
) -> None:
    query = '{ region(code: "64") { name } article(slug: "none") { title } }'
    response = await http.get(
        "/graphql", params={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["data"] == {"region": {"name": "Kalimantan Timur"}, "article": None}


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", "application/json"),
    ],
)
def test_negotiation(accept: str | None, chosen: str) -> None:
    assert media_type(accept) == chosen


async def test_graphql_http_server_audits(database_url: str, tmp_path: Path) -> None:
    async with serving(settings_for(database_url, tmp_path)) as address:
        output = await run_node("audit.mjs", f"http://{address}/graphql")
    audits = json.loads(output)
    failed = [(audit["name"], audit["reason"]) for audit in audits if audit["status"] != "ok"]
    assert failed == []
    must = [audit for audit in audits if audit["name"].startswith("MUST")]
    should = [audit for audit in audits if audit["name"].startswith("SHOULD")]
    assert (len(must), len(should)) == (13, 23)
