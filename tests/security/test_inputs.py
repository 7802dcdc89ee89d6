"""The one check of string inputs (:mod:`hub.schema.inputs`): control characters, lone
surrogates, bytes that are not UTF-8 and over-long strings are ``INVALID_INPUT`` naming the
field, in literals and variables, nested in input objects and lists, over HTTP and over the
WebSocket; nothing changes. Update inputs say what they accept: null where a field cannot be
cleared leaves it unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from strawberry.types.base import StrawberryMaybe, StrawberryOptional

from hub.schema import build_schema, inputs
from hub.schema.inputs import HTML, LINE, PROSE
from hub.settings import Settings
from hub.vocabulary import ArticleStatus, MemberRole
from tests.factories import add_account, add_article, ensure_agency, headers_for
from tests.helpers import GraphQLClient, table_digests
from tests.live_client import LiveClient
from tests.servers import serving

Sessions = async_sessionmaker[AsyncSession]
AGENCY = "diskominfo-kukar"
EDITOR = "editor@kukar.go.id"

UPDATE = """mutation ($input: UpdateArticleInput!) {
  updateArticle(input: $input) {
    article { title summary category version regions { code } }
    errors { field code message } } }"""


@pytest.fixture
async def editor(gql: GraphQLClient, sessions: Sessions, settings: Settings) -> dict[str, str]:
    await ensure_agency(sessions, slug=AGENCY)
    await add_account(sessions, settings, EDITOR, roles={AGENCY: MemberRole.EDITOR})
    return await headers_for(gql, EDITOR)


@pytest.fixture
async def draft(sessions: Sessions, editor: dict[str, str]) -> str:
    await add_article(
        sessions,
        agency_slug=AGENCY,
        slug="draf-uji",
        status=ArticleStatus.DRAFT,
        author_email=EDITOR,
        regions=["64"],
    )
    return "draf-uji"


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT", error
    return error


async def post_raw(http: httpx.AsyncClient, body: str | bytes, **headers: str) -> httpx.Response:
    return await http.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


async def test_a_nul_in_a_literal_or_a_variable_names_the_field(gql: GraphQLClient) -> None:
    literal = only_error(await gql.execute('{ article(slug: "a\\u0000b") { title } }'))
    assert literal["extensions"]["field"] == "article.slug"
    assert "U+0000" in literal["message"]
    assert literal["locations"] == [{"line": 1, "column": 17}]

    query = "query ($q: String!) { search(query: $q) { totalCount } }"
    variable = only_error(await gql.execute(query, {"q": "pemilu\x00"}))
    assert variable["extensions"]["field"] == "search.query"
    assert "`$q`" in variable["message"]

    nested = """{ region(code: "64") { articles(first: 5, after: "x\\u0007") { totalCount } } }"""
    assert only_error(await gql.execute(nested))["extensions"]["field"] == ("region.articles.after")
    aliased = '{ a: articles(filter: {tag: "b\\u001b"}) { totalCount } }'
    assert only_error(await gql.execute(aliased))["extensions"]["field"] == ("articles.filter.tag")


async def test_nested_inputs_and_lists_change_nothing(
    gql: GraphQLClient, engine: AsyncEngine, editor: dict[str, str], draft: str
) -> None:
    before = await table_digests(engine)
    cases = [
        ({"regionCodes": ["64", "64.71\x00"]}, "updateArticle.input.regionCodes.1"),
        (
            {"quotedPeople": [{"personSlug": "a", "kind": "QUOTED", "quote": "ok\x0c"}]},
            "updateArticle.input.quotedPeople.0.quote",
        ),
        ({"title": "Judul\nbaris dua"}, "updateArticle.input.title"),
        ({"summary": "x" * (PROSE.max_length + 1)}, "updateArticle.input.summary"),
        ({"title": "\x7f"}, "updateArticle.input.title"),
        ({"title": "\x85"}, "updateArticle.input.title"),  # C1 controls too
    ]
    for change, field in cases:
        body = await gql.execute(
            UPDATE, {"input": {"slug": draft, "version": 1, **change}}, headers=editor
        )
        assert only_error(body)["extensions"]["field"] == field, change
    literal = """mutation { updateArticle(input: {slug: "draf-uji", version: 1,
      quotedPeople: [{personSlug: "a"}, {personSlug: "b\\u0000"}]}) { errors { code } } }"""
    error = only_error(await gql.execute(literal, headers=editor))
    assert error["extensions"]["field"] == "updateArticle.input.quotedPeople.1.personSlug"
    assert await table_digests(engine) == before


async def test_multiline_text_takes_tabs_and_line_breaks(
    gql: GraphQLClient, editor: dict[str, str], draft: str
) -> None:
    body = "<p>Paragraf satu.</p>\r\n\t<p>Paragraf dua.</p>"
    summary = "Ringkasan\nbaris kedua\tdengan tab"
    data = await gql(
        UPDATE,
        {"input": {"slug": draft, "version": 1, "body": body, "summary": summary}},
        headers=editor,
    )
    assert data["updateArticle"]["errors"] == []
    assert data["updateArticle"]["article"]["summary"] == summary


async def test_bounds_are_declared_per_field(
    gql: GraphQLClient, editor: dict[str, str], draft: str
) -> None:
    long_line = "a" * (LINE.max_length + 1)
    error = only_error(
        await gql.execute("query ($s: String!) { tag(slug: $s) { slug } }", {"s": long_line})
    )
    assert error["extensions"]["field"] == "tag.slug"
    assert f"longer than {LINE.max_length} characters ({LINE.max_length + 1})" in error["message"]
    # the same length is fine in a body (its own bound), and reaches the domain's rules
    data = await gql(
        UPDATE, {"input": {"slug": draft, "version": 1, "body": long_line}}, headers=editor
    )
    assert data["updateArticle"]["errors"] == []
    assert HTML.max_length > PROSE.max_length > LINE.max_length


async def test_lone_surrogates_and_bad_utf8_over_http(http: httpx.AsyncClient) -> None:
    # ``\ud800`` escaped is valid JSON but not text: the check names where it was sent
    query = "query ($s: String!) { article(slug: $s) { title } }"
    raw = '{"query": ' + json.dumps(query) + ', "variables": {"s": "ab\\ud800"}}'
    response = await post_raw(http, raw)
    assert response.status_code == 200
    error = only_error(response.json())
    assert error["extensions"]["field"] == "article.slug"
    assert "lone surrogate" in error["message"]

    response = await post_raw(http, b'{"query": "{ article(slug: \\"\xff\xfe\\") { title } }"}')
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "not valid UTF-8" in error["message"]

    # echoed in a message, a lone surrogate is written as its escape
    unknown = '{"query": "{ __typename }", "operationName": "x\\ud800"}'
    response = await post_raw(http, unknown)
    assert response.status_code == 400
    assert "x\ud800" in response.json()["errors"][0]["message"]
    variables = '{"query": "query ($i: ArticleFilter) { articles(filter: $i) { totalCount } }",'
    response = await post_raw(http, variables + ' "variables": {"i": {"\\udc00": 1}}}')
    error = only_error(response.json())
    assert error["extensions"]["field"] == "articles.filter.'\\udc00'"

    get = await http.get("/graphql", params={"query": query, "variables": '{"s": "\\u0000"}'})
    assert get.status_code == 200
    assert only_error(get.json())["extensions"]["field"] == "article.slug"


async def test_over_the_websocket(settings: Settings, sessions: Sessions) -> None:
    await ensure_agency(sessions, slug=AGENCY)
    async with serving(settings) as where, LiveClient.connect(f"ws://{where}/graphql") as client:
        await client.subscribe(
            "live",
            "subscription ($a: String!) { reviewQueue(agencySlug: $a) { kind } }",
            {"a": "diskominfo\x00kukar"},
        )
        message = await client.receive()
        assert message["type"] == "error", message
        (error,) = message["payload"]
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "reviewQueue.agencySlug"}

        await client.subscribe(
            "live2", 'subscription { eventUpdated(slug: "forum\\ud83d") { kind } }', None
        )
        message = await client.receive()
        assert message["type"] == "error", message

        # a lone surrogate escaped in the frame's JSON reaches the check as such
        query = "query ($s: String!) { article(slug: $s) { title } }"
        await client.websocket.send(
            '{"id": "q", "type": "subscribe", "payload": {"query": '
            + json.dumps(query)
            + ', "variables": {"s": "\\udfff"}}}'
        )
        message = await client.receive()
        assert message["type"] == "next", message
        error = only_error(message["payload"])
        assert error["extensions"]["field"] == "article.slug"
        assert "lone surrogate" in error["message"]


async def test_null_leaves_uncleared_fields_unchanged(
    gql: GraphQLClient, editor: dict[str, str], draft: str
) -> None:
    first = await gql(
        UPDATE,
        {"input": {"slug": draft, "version": 1, "summary": "Ada ringkasan"}},
        headers=editor,
    )
    article = first["updateArticle"]["article"]
    nulls = {"title": None, "category": None, "regionCodes": None, "summary": None}
    data = await gql(
        UPDATE, {"input": {"slug": draft, "version": article["version"], **nulls}}, headers=editor
    )
    after = data["updateArticle"]["article"]
    assert data["updateArticle"]["errors"] == []
    assert after["title"] == article["title"]  # null: unchanged
    assert after["category"] == article["category"]
    assert after["regions"] == [{"code": "64"}]
    assert after["summary"] is None  # a field that can be cleared is cleared
    literal = f"""mutation {{ updateArticle(input: {{slug: "{draft}",
      version: {after["version"]}, title: null, language: null, tagSlugs: null}})
      {{ errors {{ code }} article {{ title }} }} }}"""
    data = await gql(literal, headers=editor)
    assert data["updateArticle"] == {"errors": [], "article": {"title": article["title"]}}


def test_every_nullable_input_field_accepts_null() -> None:
    """A ``Maybe[T]`` field is nullable in the SDL but refuses null (with a message naming
    Python types): update inputs use ``Maybe[T | None]`` instead."""
    schema = build_schema()
    refusing = []
    for name, graphql_type in schema._schema.type_map.items():
        definition = getattr(graphql_type, "extensions", {}).get("strawberry-definition")
        if definition is None or not getattr(definition, "is_input", False):
            continue
        for field in definition.fields:
            field_type = field.type
            if isinstance(field_type, StrawberryMaybe) and not isinstance(
                field_type.of_type, StrawberryOptional
            ):
                refusing.append(f"{name}.{field.python_name}")
    assert refusing == []


def test_the_walks_kept_are_bounded() -> None:
    schema = build_schema()._schema
    for number in range(inputs.PLAN_CACHE_SIZE + 50):
        document = parse(f'{{ article(slug: "artikel-{number}") {{ title }} }}')
        assert inputs.input_errors(schema, document, None, None) == []
    assert len(inputs._plans) == inputs.PLAN_CACHE_SIZE
    bad = parse('{ tag(slug: "a\\u0000") { slug } }')
    first = inputs.input_errors(schema, bad, None, None)
    again = inputs.input_errors(schema, bad, None, None)  # from the kept walk, fresh errors
    assert [error.message for error in first] == [error.message for error in again]
    assert first[0] is not again[0]


def test_the_sdl_declares_the_bounds() -> None:
    sdl = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8")
    assert "directive @text(maxLength: Int!, multiline: Boolean! = false)" in sdl
    assert f"body: String! @text(maxLength: {HTML.max_length}, multiline: true)" in sdl
    assert json.dumps(LINE.max_length) in sdl
