"""Keyset pagination over HTTP: round trips both ways while rows are inserted, cursor errors."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import factories
from tests.helpers import GraphQLClient

PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  articles(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}
"""


async def _walk_forward(gql: GraphQLClient, size: int, on_page=None) -> list[str]:  # type: ignore[no-untyped-def]
    slugs: list[str] = []
    after = None
    while True:
        page = (await gql(PAGE, {"first": size, "after": after}))["articles"]
        slugs += [edge["node"]["slug"] for edge in page["edges"]]
        if on_page is not None:
            await on_page()
        if not page["pageInfo"]["hasNextPage"]:
            return slugs
        after = page["pageInfo"]["endCursor"]


async def test_forward_and_backward_round_trip_while_inserting(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="diskominfo-uji")
    for _ in range(23):
        await factories.article(sessions, agency_id=agency)
    original = [e["node"]["slug"] for e in (await gql(PAGE, {"first": 100}))["articles"]["edges"]]

    async def insert_newer_and_older() -> None:  # rows land before and after every page
        await factories.article(sessions, agency_id=agency)
        await factories.article(
            sessions, agency_id=agency, published_at=factories.BASE_TIME - timedelta(days=1)
        )

    inserted_meanwhile = await _walk_forward(gql, 5, insert_newer_and_older)
    assert len(inserted_meanwhile) == len(set(inserted_meanwhile)), "no duplicates"
    # Every original row is there, in the same order; new older rows may follow at the end.
    assert [slug for slug in inserted_meanwhile if slug in original] == original

    # Backward from the end: the same order, reversed page by page, no gaps.
    backward: list[str] = []
    before = None
    while True:
        page = (await gql(PAGE, {"last": 7, "before": before}))["articles"]
        backward = [edge["node"]["slug"] for edge in page["edges"]] + backward
        await insert_newer_and_older()
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert len(backward) == len(set(backward))
    assert [slug for slug in backward if slug in original] == original


async def test_page_info_at_both_ends(
    database_url: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="diskominfo-uji")
    for _ in range(3):
        await factories.article(sessions, agency_id=agency)
    first = (await gql(PAGE, {"first": 2}))["articles"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    rest = (await gql(PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["articles"]
    assert len(rest["edges"]) == 1
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": rest["edges"][0]["cursor"],
        "endCursor": rest["edges"][0]["cursor"],
    }
    empty = (await gql(PAGE, {"first": 0}))["articles"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["endCursor"] is None


async def test_bad_pages_and_cursors_are_clear_errors(
    database_url: str, gql: GraphQLClient
) -> None:
    cases = {
        "{ articles(first: 101) { edges { cursor } } }": ("first", "at most 100"),
        "{ articles(last: -1) { edges { cursor } } }": ("last", "must not be negative"),
        "{ articles(first: 1, last: 1) { edges { cursor } } }": ("last", "not both"),
        '{ articles(after: "nonsense!") { edges { cursor } } }': ("after", "not a cursor"),
        # a cursor of another list (regions) is refused, not misread
        '{ articles(after: "WyJjb2RlIiwiNjQiXQ") { edges { cursor } } }': ("after", "not a cursor"),
        "{ regions(first: 500) { edges { cursor } } }": ("first", "at most 100"),
    }
    for query, (field, message) in cases.items():
        errors = await gql.errors(query)
        assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": field}, query
        assert message in errors[0]["message"]


async def test_nested_connection_pages_with_cursors(demo: str, gql: GraphQLClient) -> None:
    query = """query ($after: String) { agency(slug: "diskominfo-kaltim") {
      people(first: 1, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } } } }"""
    first = (await gql(query))["agency"]["people"]
    assert first["nodes"] == [{"name": "Muhammad Faisal"}]
    assert first["pageInfo"]["hasNextPage"] is False
