"""Limits on one operation, before it runs: size, tokens, depth, aliases, directives, cost
against the viewer's budget (``extensions.cost`` when accepted, what the quota is charged),
introspection and suggestions in production — over HTTP and over a real WebSocket."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth import ANONYMOUS, Viewer
from hub.schema import build_schema
from hub.schema.limits import Checked, OperationLimits, Refused, _ParseCache
from hub.settings import Environment, Settings
from hub.vocabulary import ApiKeyScope, MemberRole
from tests.factories import add_account, add_api_key, bearer, ensure_agency, headers_for
from tests.live_client import LiveClient
from tests.security.conftest import client_from, running
from tests.servers import serving
from tests.sse_client import open_stream

ROOT = Path(__file__).resolve().parents[2]
NESTED = """{ articles(first: 100) { nodes { agency { articles(first: 100) { nodes { agency {
  articles(first: 100) { nodes { slug } } } } } } } } }"""
NESTED_COST = 100 + 100 + 100 * 100 + 100 * 100 + 100 * 100 * 100
PRODUCTION = {"environment": Environment.PRODUCTION, "secret_key": "s" * 40}


def code_of(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    code: str = errors[0]["extensions"]["code"]
    return code


def nested(levels: int) -> str:
    """``levels`` nested fields: region → parent → parent → ... → name."""
    inner = "parent { " * (levels - 2) + "name" + " }" * (levels - 2)
    return '{ region(code: "64.71") { ' + inner + " } }"


async def test_the_three_level_nested_query_is_refused_naming_cost_and_budget(
    abuse_settings: Callable[..., Settings],
) -> None:
    async with running(abuse_settings()) as app, client_from(app, "203.0.113.5").http as http:
        response = await http.post("/graphql", json={"query": NESTED})
    body = response.json()
    assert response.status_code == 200
    assert "data" not in body or body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert (error["extensions"]["cost"], error["extensions"]["budget"]) == (NESTED_COST, 5_000)
    assert f"{NESTED_COST}" in error["message"]
    assert "5000" in error["message"]


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ('{ region(code: "64") { name } }', {}, 1),
        ("{ articles { nodes { slug } } }", {}, 20),  # the default page
        ("query($n: Int) { articles(first: $n) { nodes { slug } } }", {"n": 7}, 7),
        ("query($n: Int = 3) { articles(first: $n) { nodes { slug } } }", {}, 3),
        ("{ articles(first: 5) { edges { node { slug agency { name } } } } }", {}, 5 + 5),
        (
            "{ articles(last: 4) { pageInfo { hasNextPage } nodes { tags { slug } } } }",
            {},
            4 + 1 + 40,
        ),
        (
            "{ a: articles(first: 2) { ...A } b: articles(first: 3) { ...A } }"
            " fragment A on ArticleConnection { nodes { agency { name } } }",
            {},
            2 + 2 + 3 + 3,
        ),
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', {}, 3),
    ],
)
async def test_accepted_operations_report_their_cost(
    abuse_settings: Callable[..., Settings], query: str, variables: dict[str, int], cost: int
) -> None:
    async with running(abuse_settings()) as app, client_from(app, "203.0.113.5").http as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert body["extensions"]["cost"] == {"requested": cost, "budget": 5_000}, body


async def test_the_quota_is_charged_the_cost(abuse_settings: Callable[..., Settings]) -> None:
    settings = abuse_settings(quota_anonymous_requests=100, quota_anonymous_cost=1_000)
    query = "{ articles(first: 30) { nodes { slug } } rateLimit { cost used remaining } }"
    async with running(settings) as app, client_from(app, "203.0.113.5").http as http:
        first = (await http.post("/graphql", json={"query": query})).json()
        second = (await http.post("/graphql", json={"query": query})).json()
    assert first["data"]["rateLimit"] == {"cost": 31, "used": 31, "remaining": 969}
    assert second["data"]["rateLimit"] == {"cost": 31, "used": 62, "remaining": 938}
    assert first["extensions"]["cost"]["requested"] == 31


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (nested(11), "QUERY_TOO_DEEP"),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }", "TOO_MANY_ALIASES"),
        ("{ " + "__typename @include(if: true) " * 31 + "}", "TOO_MANY_DIRECTIVES"),
        ("{ " + "a " * 2_100 + "}", "TOO_MANY_TOKENS"),
        ("{ __typename }" + " " * 20_000, "QUERY_TOO_LARGE"),
        (
            "{ articles(first: 100) { nodes { agency {"
            " articles(first: 50) { nodes { slug } } } } } }",
            "QUERY_TOO_COMPLEX",
        ),
    ],
)
async def test_operations_over_a_limit_are_refused_before_running(
    abuse_settings: Callable[..., Settings], query: str, code: str
) -> None:
    async with running(abuse_settings()) as app:
        errors = await client_from(app, "203.0.113.5").errors(query)
    assert [error["extensions"]["code"] for error in errors] == [code], errors


async def test_limits_take_fragments_spread_many_times_into_account(
    abuse_settings: Callable[..., Settings],
) -> None:
    # Each level spreads the one below twice: 2^24 selections once expanded.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(24))
    query = (
        "{ ...F0 } "
        + fragments
        + " fragment F24 on Query { articles(first: 1) { nodes { slug } } }"
    )
    async with running(abuse_settings()) as app:
        errors = await client_from(app, "203.0.113.5").errors(query)
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert errors[0]["extensions"]["cost"] == 2**24


async def test_budgets_per_principal_and_an_api_keys_own(
    abuse_settings: Callable[..., Settings], sessions: async_sessionmaker[AsyncSession]
) -> None:
    settings = abuse_settings()
    await ensure_agency(sessions, slug="diskominfo-kaltim")
    await add_account(
        sessions, settings, "editor@example.id", roles={"diskominfo-kaltim": MemberRole.ADMIN}
    )
    await add_account(sessions, settings, "admin@example.id", platform_admin=True)
    key = await add_api_key(sessions, "diskominfo-kaltim", [ApiKeyScope.READ_DRAFTS])
    create = """mutation($budget: Int) { createApiKey(input: {agencySlug: "diskominfo-kaltim",
      name: "partner", scopes: [READ_DRAFTS], costBudget: $budget}) {
      key apiKey { costBudget } errors { field code } } }"""
    query = "{ articles(first: 100) { nodes { tags { slug } } } }"  # 100 + 100 * 10
    async with running(settings) as app:
        gql = client_from(app, "203.0.113.5")
        editor = await headers_for(gql, "editor@example.id")
        admin = await headers_for(gql, "admin@example.id")
        for headers, budget in (({}, 5_000), (editor, 20_000), (bearer(key), 50_000)):
            body = await gql.execute(query, headers=headers)
            assert body["extensions"]["cost"] == {"requested": 1_100, "budget": budget}
        refused = (await gql(create, {"budget": 60_000}, headers=editor))["createApiKey"]
        assert refused["errors"] == [{"field": "costBudget", "code": "FORBIDDEN"}]
        small = (await gql(create, {"budget": 1_000}, headers=admin))["createApiKey"]
        assert small["apiKey"] == {"costBudget": 1_000}
        errors = await gql.errors(query, headers=bearer(small["key"]))
        assert errors[0]["extensions"] | {"message": errors[0]["message"]} == {
            "code": "QUERY_TOO_COMPLEX",
            "cost": 1_100,
            "budget": 1_000,
            "message": errors[0]["message"],
        }
        large = (await gql(create, {"budget": 60_000}, headers=admin))["createApiKey"]
        assert large["errors"] == []
        assert large["apiKey"] == {"costBudget": 60_000}


async def test_production_hides_the_schema_from_anonymous_callers(
    abuse_settings: Callable[..., Settings], sessions: async_sessionmaker[AsyncSession]
) -> None:
    settings = abuse_settings(**PRODUCTION)
    await ensure_agency(sessions, slug="diskominfo-kaltim")
    await add_account(sessions, settings, "admin@example.id", platform_admin=True)
    generator = await add_api_key(sessions, "diskominfo-kaltim", [ApiKeyScope.INTROSPECT])
    reader = await add_api_key(sessions, "diskominfo-kaltim", [ApiKeyScope.READ_DRAFTS])
    introspect = "{ __schema { queryType { name } } }"
    async with running(settings) as app:
        gql = client_from(app, "203.0.113.5")
        admin = await headers_for(gql, "admin@example.id")
        for headers in ({}, bearer(reader)):
            errors = await gql.errors(introspect, headers=headers)
            assert errors[0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        for headers in (admin, bearer(generator)):
            assert (await gql(introspect, headers=headers))["__schema"]["queryType"] == {
                "name": "Query"
            }
        assert await gql("{ __typename }") == {"__typename": "Query"}
        typo = await gql.errors("{ articls { nodes { slug } } }")
        assert "Did you mean" not in typo[0]["message"]
        assert typo[0]["message"] == "Cannot query field 'articls' on type 'Query'."
    async with running(abuse_settings()) as app:  # development: the hint helps
        typo = await client_from(app, "203.0.113.5").errors("{ articls { nodes { slug } } }")
        assert "Did you mean 'article' or 'articles'?" in typo[0]["message"]


async def test_the_same_checks_apply_over_websocket(
    abuse_settings: Callable[..., Settings],
) -> None:
    async with (
        serving(abuse_settings(**PRODUCTION)) as address,
        LiveClient.connect(f"ws://{address}/graphql") as client,
    ):
        await client.subscribe("1", NESTED)
        refused = await client.receive()
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        await client.subscribe("2", nested(11))
        assert (await client.receive())["payload"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
        await client.subscribe("3", "{ __schema { types { name } } }")
        found = (await client.receive())["payload"][0]["extensions"]["code"]
        assert found == "INTROSPECTION_DISABLED"
        await client.subscribe("4", "{ articles(first: 3) { nodes { slug } } }")
        answer = await client.receive()
        assert answer["type"] == "next"
        assert answer["payload"]["extensions"]["cost"] == {"requested": 3, "budget": 5_000}
        assert (await client.receive())["type"] == "complete"
        await client.subscribe("5", "subscription { articlePublished { kind } }")
        await client.quiet(0.3)  # a subscription within the limits joins the stream


async def test_the_same_checks_apply_over_server_sent_events(
    abuse_settings: Callable[..., Settings],
) -> None:
    async with (
        serving(abuse_settings()) as address,
        httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as http,
    ):
        for query, code in ((NESTED, "QUERY_TOO_COMPLEX"), (nested(11), "QUERY_TOO_DEEP")):
            async with open_stream(http, "POST", "/graphql", json={"query": query}) as reader:
                refused = await reader.next()
                assert refused.event == "next"
                assert refused.data["errors"][0]["extensions"]["code"] == code
                assert (await reader.next()).event == "complete"


def test_documents_leaving_the_cache_are_freed_without_the_collector() -> None:
    cache = _ParseCache(entries=2, characters=1_000)
    first = cache.entry("{ a: __typename }", 100).document
    assert first.loc is not None
    tokens, token = [], first.loc.start_token
    while token is not None:
        tokens.append(token)
        token = token.next
    assert len(tokens) == 7  # start, {, a, :, __typename, }, end
    cache.entry("{ b: __typename }", 100)
    cache.entry("{ c: __typename }", 100)  # the first one leaves
    # its token list is no cycle any more: reference counting alone frees it
    assert all(token.prev is None and token.next is None for token in tokens)
    cache.entry("{ " + "d " * 493 + "}", 10_000)  # 989 characters: the others leave
    assert len(cache.documents) == 1


def documents_the_project_sends() -> list[tuple[str, str]]:
    """Every document of the README, the live page and the read benchmark."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = [("README", q) for q in re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)]
    live = (ROOT / "hub/static/live.js").read_text(encoding="utf-8")
    fields = re.search(r"const FIELDS = `(.*?)`;", live, flags=re.DOTALL)
    assert fields is not None
    for name in ("LATEST", "LIVE", "CHOICES"):
        text = re.search(rf"const {name} = `(.*?)`;", live, flags=re.DOTALL)
        assert text is not None
        found.append((f"live.js {name}", text.group(1).replace("${FIELDS}", fields.group(1))))
    from bench.read import load

    found += [(f"bench {name}", query) for name, query in load.QUERIES.items()]
    return found


@pytest.mark.parametrize(("origin", "query"), documents_the_project_sends())
def test_the_defaults_let_the_projects_own_documents_through(origin: str, query: str) -> None:
    settings = Settings(database_url="postgresql://unused/x")
    limits = OperationLimits(build_schema()._schema, settings)
    names = re.findall(r"^(?:query|mutation|subscription)\s+(\w+)", query, flags=re.MULTILINE)
    for name in names or [None]:
        viewer = Viewer(account_id=1) if "mutation" in query else ANONYMOUS
        checked = limits.check(query, {}, name, viewer)
        assert not isinstance(checked, Refused), (origin, checked.payloads)
        assert checked is None or isinstance(checked, Checked)
