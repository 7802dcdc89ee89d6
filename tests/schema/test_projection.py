"""The fast path of article lists gives exactly the general path's response, in one statement."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from tests import factories
from tests.helpers import GraphQLClient, count_statements

FEED = """query ($region: String!, $after: String) {
  articles(filter: {region: $region}, first: 7, after: $after) {
    __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug title summary body byline category language status
      canonicalUrl publishedAt viewCount version retractedAt retractionReason correctedAt
      correctionNote
      agency { id slug name acronym website } event { id slug title startsAt endsAt allDay venue }
      regions { id code name level } tags { id slug label }
      electionStages { id code name nameEn startsOn endsOn ordinal legalBasis } } } } }"""

FRAGMENTS = """
fragment Small on Article { slug t: title agency { __typename n: name } }
fragment Identified on Node { id }
query { latest: articles(last: 3, orderBy: OLDEST) {
  nodes { ...Small ...Identified ... on Article { publishedAt event { slug } } __typename }
  edges { node { slug } node { title } score highlight { title } }
  info: pageInfo { __typename endCursor } } }"""

SEARCH = """{ articles(search: "forum balikpapan", first: 5) {
  edges { score cursor highlight { title snippet __typename } node { slug tags { slug } } } } }"""

GENERAL_ONLY = """{ articles(first: 5) { nodes { slug agency { type { code } } } } }"""


@pytest.fixture
async def newsroom(demo: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    await factories.newsroom(sessions, agencies=3, per_agency=5)
    no_event = await factories.agency(sessions, slug="tanpa-acara", region_code="64.72")
    await factories.article(sessions, agency_id=no_event, title="Tanpa acara di Balikpapan")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (FEED, {"region": "64"}),
        (FEED, {"region": "64.02"}),
        (FRAGMENTS, {}),
        (SEARCH, {}),
        (GENERAL_ONLY, {}),
    ],
)
async def test_fast_path_equals_general_path(
    newsroom: None,
    gql: GraphQLClient,
    general: GraphQLClient,
    query: str,
    variables: dict[str, object],
) -> None:
    fast = await gql(query, variables)
    slow = await general(query, variables)
    assert json.dumps(fast) == json.dumps(slow)  # same values, same key order
    if "after" in query:
        cursor = fast["articles"]["pageInfo"]["endCursor"]
        again = {**variables, "after": cursor}
        assert json.dumps(await gql(query, again)) == json.dumps(await general(query, again))


async def test_fast_path_is_one_statement(
    newsroom: None, app: Starlette, gql: GraphQLClient
) -> None:
    feed = FEED.replace("totalCount", "").replace("$region: String!, ", "")
    with count_statements(app.state.engine) as log:
        data = await gql(feed.replace("filter: {region: $region}, ", ""))
    assert len(data["articles"]["edges"]) == 7
    assert log.count == 1, log.statements
    with count_statements(app.state.engine) as log:
        await gql(feed.replace("$region", '"64"'))
    assert log.count == 2, log.statements  # the region code is checked first
