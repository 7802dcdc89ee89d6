"""Injection through arguments: search words, filter codes, slugs and cursors are data, never
SQL — an attempt matches nothing it would not match as text, changes nothing, and a forged
cursor is refused."""

from __future__ import annotations

import base64

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import GraphQLClient, table_digests

TOTAL = "{ articles { totalCount } }"
ATTEMPTS = [
    "x' OR '1'='1",
    "x') OR 1=1 --",
    "'; DROP TABLE articles; --",
    "%",
    "_",
    "forum%' UNION SELECT slug FROM accounts --",
    "\\' OR 1=1 #",
]


async def test_search_and_filters_take_values_as_text(
    demo: str, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    everything = (await gql(TOTAL))["articles"]["totalCount"]
    assert everything > 0
    before = await table_digests(engine)
    for attempt in ATTEMPTS:
        body = await gql.execute(
            "query ($s: String!) { articles(search: $s) { totalCount } }", {"s": attempt}
        )
        if body.get("errors"):  # words the search cannot use: said so, as bad input
            assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
        else:
            assert body["data"]["articles"]["totalCount"] < everything, attempt
        for field in ("region", "agency", "tag", "event", "person", "electionStage"):
            query = f"query ($v: String!) {{ articles(filter: {{{field}: $v}}) {{ totalCount }} }}"
            errors = await gql.errors(query, {"v": attempt})
            assert errors[0]["extensions"]["field"] == f"filter.{field}", errors
        for look_up in ("article(slug: $v) { title }", "agency(slug: $v) { name }"):
            data = await gql(f"query ($v: String!) {{ {look_up} }}", {"v": attempt})
            assert next(iter(data.values())) is None
    assert await table_digests(engine) == before
    assert (await gql(TOTAL))["articles"]["totalCount"] == everything


async def test_forged_cursors_are_refused(demo: str, gql: GraphQLClient) -> None:
    for forged in ("1 OR 1=1", "0'; --", base64.b64encode(b"articles:1' OR '1'='1").decode()):
        errors = await gql.errors(
            "query ($c: String!) { articles(first: 5, after: $c) { totalCount } }", {"c": forged}
        )
        assert errors[0]["extensions"]["code"] == "INVALID_INPUT", errors
