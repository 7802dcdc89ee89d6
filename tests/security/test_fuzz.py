"""A fuzzer over every root field: the schema is read by introspection, each query, mutation
and subscription field is called with a valid-looking baseline and then with one argument or
input field at a time replaced by NUL bytes, huge strings, values of the wrong type, null and
out-of-range numbers — anonymously and as a logged-in editor, queries and mutations over HTTP,
subscriptions over the WebSocket. No answer may be unexpected: no HTTP 500, no "Internal
server error", no unexpected exception logged, no message naming Python or Strawberry types.

The cases are drawn with a fixed seed, so a failure is reproducible; every argument position
gets every attack, a seeded sample of them per field is sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_composite_type,
)
from graphql.pyutils import Undefined

from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, ensure_agency, headers_for
from tests.helpers import GraphQLClient
from tests.live_client import LiveClient
from tests.servers import serving

SEED = 20240214
CASES_PER_FIELD = 14  # besides the baseline and the all-strings attacks
MAX_DEPTH = 3  # input objects nested deeper are given their baseline only
HUGE = "x" * 1_000_001  # over every declared bound, under the request body limit
INTERNALS = re.compile(
    r"Maybe\[|[Ss]trawberry|<class|<enum|object at 0x|wrapped_cls|Traceback|"
    r"\bNone\b|\bstr\b|\bint\b|\bdict\b|\blist\[|Error\(|sqlalchemy|asyncpg|psycopg"
)
AGENCY = "diskominfo-kukar"
EDITOR = "editor@kukar.go.id"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Case:
    field: str
    arguments: dict[str, Any]
    what: str


# -- values ---------------------------------------------------------------------------------

SCALAR_BASELINE = {
    "String": "x",
    "ID": "QXJ0aWNsZTox",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "DateTime": "2024-02-14T08:00:00+07:00",
    "Date": "2024-02-14",
}


def baseline(type_: GraphQLInputType, depth: int = 0) -> Any:
    """A value of ``type_`` that coerces: required parts filled, optional ones left out."""
    if isinstance(type_, GraphQLNonNull):
        return baseline(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [baseline(type_.of_type, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: baseline(field.type, depth + 1)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    assert isinstance(type_, GraphQLScalarType)
    return SCALAR_BASELINE.get(type_.name, "x")


def attacks(type_: GraphQLInputType) -> Iterator[tuple[str, Any]]:
    """Hostile values for a position of ``type_``."""
    yield "null", None
    named = get_named_type(type_)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        yield "a bare item", baseline(type_.of_type)
        yield "a null item", [None]
        yield "a nested list", [[baseline(type_.of_type)]]
    if isinstance(named, GraphQLScalarType) and named.name in ("Int", "Float"):
        yield from (
            ("2**31", 2**31),
            ("-2**31-1", -(2**31) - 1),
            ("-1", -1),
            ("0", 0),
            ("2**63", 2**63),
            ("1e308", 1e308),
            ("a fraction", 1.5),
            ("a numeric string", "12"),
        )
    elif isinstance(named, GraphQLScalarType) and named.name == "Boolean":
        yield from (("a string", "true"), ("a number", 1))
    elif isinstance(named, GraphQLScalarType):
        yield from (
            ("a NUL byte", "a\x00b"),
            ("control characters", "\x01\x1b[31m\x7f"),
            ("a huge string", HUGE),
            ("an empty string", ""),
            ("a number", 12345),
            ("an object", {"a": 1}),
            ("a lone surrogate", "a\ud800"),
            ("SQL", "x' OR '1'='1"),
            ("a pattern", "%_\\"),
            ("not a date", "2024-13-45T99:99:99"),
        )
    elif isinstance(named, GraphQLEnumType):
        yield from (("an unknown value", "NOT_A_VALUE"), ("a number", 3), ("lower case", "x"))
    elif isinstance(named, GraphQLInputObjectType):
        yield from (
            ("a string", "x"),
            ("a list", []),
            ("an unknown field", {"nope": 1}),
            ("a field name with a NUL", {"a\x00": 1}),
            ("a field name with a lone surrogate", {"\udc00": 1}),
        )


def positions(
    type_: GraphQLInputType, path: Path, depth: int = 0
) -> Iterator[tuple[Path, GraphQLInputType]]:
    """Every argument position and input field beneath it (list items as index 0)."""
    yield path, type_
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        yield from positions(inner.of_type, (*path, 0), depth)
    elif isinstance(inner, GraphQLInputObjectType) and depth < MAX_DEPTH:
        for name, field in inner.fields.items():
            yield from positions(field.type, (*path, name), depth + 1)


def put(
    arguments: dict[str, Any], root: dict[str, GraphQLArgument], path: Path, value: Any
) -> None:
    """Set ``value`` at ``path`` of ``arguments``, filling baselines in on the way."""
    container: Any = arguments
    type_: Any = root[str(path[0])].type
    for step, following in itertools.pairwise(path):
        if not _has(container, step):
            container[step] = baseline(type_)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(inner, GraphQLList):
            type_ = inner.of_type
        else:
            assert isinstance(inner, GraphQLInputObjectType)
            type_ = inner.fields[str(following)].type
        container = container[step]
    container[path[-1]] = value


def _has(container: Any, step: str | int) -> bool:
    if isinstance(container, list):
        return isinstance(step, int) and step < len(container)
    return step in container


def cases(schema: GraphQLSchema, root: GraphQLObjectType, rng: random.Random) -> Iterator[Case]:
    for name, field in sorted(root.fields.items()):
        base = {
            arg: baseline(definition.type)
            for arg, definition in field.args.items()
            if isinstance(definition.type, GraphQLNonNull)
        }
        yield Case(name, base, "baseline")
        every_string = json.loads(json.dumps(base))
        _replace_strings(every_string, "a\x00b")
        yield Case(name, every_string, "every string with a NUL")
        candidates: list[Case] = []
        for arg, definition in field.args.items():
            for path, type_ in positions(definition.type, (arg,)):
                for what, value in attacks(type_):
                    arguments = json.loads(json.dumps(base))
                    put(arguments, field.args, path, value)
                    label = ".".join(str(step) for step in path)
                    candidates.append(Case(name, arguments, f"{label}: {what}"))
        rng.shuffle(candidates)
        yield from candidates[:CASES_PER_FIELD]


def _replace_strings(value: Any, replacement: str) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        if isinstance(item, str):
            value[key] = replacement
        elif isinstance(item, dict | list):
            _replace_strings(item, replacement)


def document(kind: str, field: GraphQLField, name: str, arguments: dict[str, Any]) -> str:
    declared = ", ".join(f"${arg}: {field.args[arg].type}" for arg in arguments)
    passed = ", ".join(f"{arg}: ${arg}" for arg in arguments)
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    head = f"{kind} ({declared})" if declared else kind
    call = f"{name}({passed})" if passed else name
    return f"{head} {{ {call}{selection} }}"


# -- checks ---------------------------------------------------------------------------------


def unexpected(body: Any) -> list[str]:
    """What is wrong with an answer: masked errors and messages naming internals."""
    found = []
    for error in (body or {}).get("errors") or ():
        message = str(error.get("message"))
        if message == "Internal server error" or INTERNALS.search(message):
            found.append(message[:300])
    return found


@pytest.fixture
async def schema(gql: GraphQLClient) -> GraphQLSchema:
    data = await gql(get_introspection_query())
    return build_client_schema(data)


@pytest.fixture
async def editor(gql: GraphQLClient, sessions: Any, settings: Settings) -> dict[str, str]:
    await ensure_agency(sessions, slug=AGENCY)
    await add_account(sessions, settings, EDITOR, roles={AGENCY: MemberRole.EDITOR})
    return await headers_for(gql, EDITOR)


async def send(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: Any
) -> httpx.Response:
    # ``json.dumps`` writes a lone surrogate as its escape, as a careless client would
    body = json.dumps({"query": query, "variables": variables})
    return await http.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


async def test_queries_and_mutations_over_http(
    demo: str,
    http: httpx.AsyncClient,
    schema: GraphQLSchema,
    editor: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    sent = 0
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for case in cases(schema, root, rng):
            query = document(kind, root.fields[case.field], case.field, case.arguments)
            for who, headers in (("anonymous", {}), ("editor", editor)):
                if kind == "mutation" and who == "anonymous" and rng.random() < 0.5:
                    continue  # anonymous writes stop at the first check: half of them do
                with caplog.at_level(logging.ERROR):
                    caplog.clear()
                    response = await send(http, query, case.arguments, headers)
                    sent += 1
                    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
                problems = unexpected(response.json()) if response.status_code < 500 else []
                if response.status_code >= 500 or problems or logged:
                    failures.append(
                        f"{case.field} [{case.what}] as {who}: {response.status_code} "
                        f"{problems or logged or response.text[:200]}"
                    )
    assert sent > 500
    assert not failures, "\n".join(failures)


async def next_message(client: LiveClient) -> dict[str, Any]:
    """The next message, pongs included (the server's pings are answered)."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(client.websocket.recv(), 30))
        if message["type"] != "ping":
            return message
        await client.send({"type": "pong"})


async def test_subscriptions_over_the_websocket(
    demo: str, settings: Settings, schema: GraphQLSchema, editor: dict[str, str]
) -> None:
    rng = random.Random(SEED)
    root = schema.subscription_type
    assert root is not None
    failures: list[str] = []
    async with serving(settings) as where:
        for who, init in (
            ("anonymous", None),
            ("editor", {"authorization": editor["Authorization"]}),
        ):
            async with LiveClient.connect(f"ws://{where}/graphql", init=False) as client:
                await client.initialise(init)
                for number, case in enumerate(cases(schema, root, rng)):
                    operation = f"s{number}"
                    query = document(
                        "subscription", root.fields[case.field], case.field, case.arguments
                    )
                    await client.send(
                        {
                            "id": operation,
                            "type": "subscribe",
                            "payload": {"query": query, "variables": case.arguments},
                        }
                    )
                    await client.send({"type": "ping"})  # answered after the subscription
                    message = await next_message(client)
                    if message["type"] == "pong":  # accepted: the stream waits for changes
                        await client.send({"id": operation, "type": "complete"})
                        continue
                    assert message["id"] == operation, message
                    payload = message["payload"]
                    problems = unexpected(
                        {"errors": payload} if isinstance(payload, list) else payload
                    )
                    if problems:
                        failures.append(f"{case.field} [{case.what}] as {who}: {problems}")
                    assert (await next_message(client))["type"] == "pong"
    assert not failures, "\n".join(failures)
