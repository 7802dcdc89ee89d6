"""Persisted operations: Apollo's automatic persisted queries (shared by processes through
PostgreSQL), trusted documents from manifests (``hub operations push``), per API key, over
HTTP GET and POST and over WebSocket."""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.db.documents_admin import ManifestError, push_manifest, read_manifest
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope
from tests.factories import Sessions, add_api_key, bearer, ensure_agency, settings_for
from tests.live_client import LiveClient
from tests.npm import run_node
from tests.servers import HUB, clean_env, serving

QUERY = 'query Province { region(code: "64") { name } }'
DATA = {"data": {"region": {"name": "Kalimantan Timur"}}}
OTHER = '{ region(code: "35") { name } }'


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


def code(response: httpx.Response) -> str:
    found: str = response.json()["errors"][0]["extensions"]["code"]
    return found


@contextlib.asynccontextmanager
async def clients(settings: Settings, count: int = 1) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` applications on the same database (each with its own cache, like processes)."""
    async with contextlib.AsyncExitStack() as stack:
        opened = []
        for _ in range(count):
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://hub.test")
            opened.append(await stack.enter_async_context(client))
        yield opened


@pytest.fixture
async def two(settings: Settings) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with clients(settings, 2) as pair:
        yield pair


async def test_automatic_persisted_queries_as_apollo_sends_them(
    database_url: str, two: list[httpx.AsyncClient]
) -> None:
    first, second = two
    by_hash = {"extensions": persisted(QUERY), "operationName": "Province"}
    unknown = await first.post("/graphql", json=by_hash)
    assert unknown.status_code == 200
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"

    registered = await first.post("/graphql", json={**by_hash, "query": QUERY})
    assert registered.json()["data"] == DATA["data"]
    assert (await first.post("/graphql", json=by_hash)).json()["data"] == DATA["data"]
    # another process finds it in the database
    assert (await second.post("/graphql", json=by_hash)).json()["data"] == DATA["data"]

    # GET with the hash alone: a shareable answer, as a CDN would keep it
    params = {"extensions": json.dumps(by_hash["extensions"]), "operationName": "Province"}
    got = await second.get("/graphql", params=params)
    assert got.json()["data"] == DATA["data"]
    assert got.headers["cache-control"].startswith("public")
    by_id = {"documentId": f"sha256:{sha256(QUERY)}"}
    assert (await second.get("/graphql", params=by_id)).json()["data"] == DATA["data"]
    # typed into a browser's address bar: the document runs (no IDE page)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    assert (await second.get("/graphql", params=by_id, headers=browser)).json()["data"] == DATA[
        "data"
    ]


async def test_bad_persisted_requests(
    database_url: str, http: httpx.AsyncClient, settings: Settings
) -> None:
    huge = "# " + "x" * settings.max_query_characters + "\n" + QUERY
    # over the document limit: refused, and not registered either
    refused = await http.post("/graphql", json={"query": huge, "extensions": persisted(huge)})
    assert code(refused) == "QUERY_TOO_LARGE"
    not_kept = await http.post("/graphql", json={"extensions": persisted(huge)})
    assert code(not_kept) == "PERSISTED_QUERY_NOT_FOUND"
    mismatch = await http.post("/graphql", json={"query": OTHER, "extensions": persisted(QUERY)})
    assert mismatch.status_code == 400
    assert code(mismatch) == "PERSISTED_QUERY_HASH_MISMATCH"
    version = {"persistedQuery": {"version": 2, "sha256Hash": sha256(QUERY)}}
    assert (await http.post("/graphql", json={"extensions": version})).status_code == 400
    both = await http.post("/graphql", json={"query": QUERY, "documentId": "abc"})
    assert both.status_code == 400
    # a mutation registered, then named by its hash over GET: still POST only
    mutation = "mutation { logout { errors { code } } }"
    await http.post("/graphql", json={"query": mutation, "extensions": persisted(mutation)})
    over_get = await http.get("/graphql", params={"documentId": sha256(mutation)})
    assert over_get.status_code == 405


async def test_persisted_queries_off(database_url: str, tmp_path: Path) -> None:
    settings = settings_for(database_url, tmp_path, persisted_queries="off")
    async with clients(settings) as (client,):
        refused = await client.post("/graphql", json={"extensions": persisted(QUERY)})
        assert refused.status_code == 200
        assert code(refused) == "PERSISTED_QUERY_NOT_SUPPORTED"
        assert (await client.post("/graphql", json={"query": QUERY})).json()["data"] == DATA["data"]


def test_manifest_shapes() -> None:
    relay = {"a1b2": QUERY}
    assert read_manifest(json.dumps(relay)) == relay
    apollo = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256(QUERY), "name": "Province", "type": "query", "body": QUERY}],
    }
    assert read_manifest(json.dumps(apollo)) == {sha256(QUERY): QUERY}
    for bad in ("[1]", "{}", '{"x": "{ nope"}', '{"x": 1}', "not json"):
        with pytest.raises(ManifestError):
            read_manifest(bad)


async def test_trusted_documents_only(
    database_url: str, tmp_path: Path, sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="mitra-a")
    key_a = await add_api_key(sessions, "mitra-a", [ApiKeyScope.READ_DRAFTS])
    key_b = await add_api_key(sessions, "mitra-a", [ApiKeyScope.READ_DRAFTS])
    prefix_a = key_a.split("_")[1]
    await push_manifest(database_url, json.dumps({"relay-province": QUERY}))
    await push_manifest(database_url, json.dumps({sha256(OTHER): OTHER}), api_key_prefix=prefix_a)
    with pytest.raises(ManifestError, match="no API key"):
        await push_manifest(database_url, json.dumps({"x": OTHER}), api_key_prefix="nope")

    settings = settings_for(database_url, tmp_path, persisted_queries="trusted")
    async with clients(settings) as (client,):
        # the manifest's document: by its id (Relay), by its hash, as text
        assert (await client.post("/graphql", json={"doc_id": "relay-province"})).json()[
            "data"
        ] == DATA["data"]
        assert (await client.post("/graphql", json={"extensions": persisted(QUERY)})).json()[
            "data"
        ] == DATA["data"]
        assert (await client.post("/graphql", json={"query": QUERY})).json()["data"] == DATA["data"]
        # anything else is refused, and cannot be registered
        for request in (
            {"query": "{ regions { code } }"},
            {"query": "{ regions { code } }", "extensions": persisted("{ regions { code } }")},
        ):
            refused = await client.post("/graphql", json=request)
            assert refused.status_code == 403
            assert code(refused) == "PERSISTED_QUERY_NOT_IN_LIST"
        # a document pushed for one API key runs for that key only
        other = {"extensions": persisted(OTHER)}
        mine = await client.post("/graphql", json=other, headers=bearer(key_a))
        assert mine.json()["data"] == {"region": {"name": "Jawa Timur"}}
        for headers in ({}, bearer(key_b)):
            refused = await client.post("/graphql", json=other, headers=headers)
            assert code(refused) == "PERSISTED_QUERY_NOT_IN_LIST"
            refused = await client.post("/graphql", json={"query": OTHER}, headers=headers)
            assert code(refused) == "PERSISTED_QUERY_NOT_IN_LIST"
        # pushed for every caller later: open to all
        await push_manifest(database_url, json.dumps({sha256(OTHER): OTHER}))
        assert (await client.post("/graphql", json={"query": OTHER})).status_code == 200


async def test_over_websocket(database_url: str, settings: Settings) -> None:
    async with (
        serving(settings) as address,
        LiveClient.connect(f"ws://{address}/graphql") as client,
    ):
        await client.send(
            {"id": "1", "type": "subscribe", "payload": {"extensions": persisted(QUERY)}}
        )
        message = await client.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        payload = {"query": QUERY, "extensions": persisted(QUERY)}
        await client.send({"id": "2", "type": "subscribe", "payload": payload})
        assert (await client.receive())["payload"]["data"] == DATA["data"]
        await client.receive()  # complete
        await client.send(
            {"id": "3", "type": "subscribe", "payload": {"extensions": persisted(QUERY)}}
        )
        assert (await client.receive())["payload"]["data"] == DATA["data"]


def test_push_command(database_url: str, tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha256(QUERY): QUERY}))
    env = clean_env(HUB_DATABASE_URL=database_url)
    done = subprocess.run(
        [*HUB, "operations", "push", str(manifest)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 documents trusted for every caller"
    manifest.write_text('{"x": "{ nope"}')
    bad = subprocess.run(
        [*HUB, "operations", "push", str(manifest)], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1
    assert "does not parse" in bad.stderr


async def test_apollo_clients_persisted_query_link(database_url: str, settings: Settings) -> None:
    """The npm @apollo/client with its PersistedQueryLink (hashed queries by GET): the first
    client is told the hash is unknown and sends the text once; a second finds it."""
    async with serving(settings) as address:
        output = await run_node("apollo-persisted.mjs", f"http://{address}/graphql")
    runs = json.loads(output)
    for run in runs.values():
        assert run["data"] == {"region": {"__typename": "Region", "name": "Kalimantan Timur"}}
    assert runs["first"]["requests"] == [
        {"method": "GET", "sentText": False},
        {"method": "POST", "sentText": True},
    ]
    assert runs["second"]["requests"] == [{"method": "GET", "sentText": False}]


async def test_unknown_hashes_count_against_the_quota(database_url: str, tmp_path: Path) -> None:
    settings = settings_for(database_url, tmp_path, quota_anonymous_requests=3)
    async with clients(settings) as (client,):
        statuses = [
            (
                await client.post("/graphql", json={"extensions": persisted(f"{{ n{n} }}")})
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 200, 429]
