"""Compiled look-ups give exactly the general path's response, for each viewer, in one statement.

Each document of ``DOCUMENTS`` runs through the compiled path (the app as configured) and the
general path (the same database served with ``projected_reads`` off), anonymously, as a
member of the agency whose unpublished article it reads and as another agency's admin; the two
responses must be the same JSON byte for byte. Those compiled must take one SQL statement per
root field for an anonymous reader; the others need the general path (directives, cursors,
fields without a declaration) and must still give the same response.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub import reads
from hub.db.compiled import Pick, Shape
from hub.db.models import Agency, Event
from hub.db.sources import TYPES
from hub.filters import NO_FILTER
from hub.schema import build_schema
from hub.schema.compiled import record_reads
from hub.settings import Settings
from hub.vocabulary import ArticleStatus, MemberRole, day_start
from tests import factories
from tests.helpers import GraphQLClient, count_statements, without_request_ids

DEMO_ARTICLE = "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"
DRAFT = "kukar-draf-rapat-koordinasi"

ARTICLE_FIELDS = """__typename id slug title summary body byline category language status
  canonicalUrl featuredImageUrl publishedAt viewCount version retractedAt retractionReason
  correctedAt correctionNote"""

DETAIL = """query Detail($slug: String!) { article(slug: $slug) {
  title body publishedAt agency { name } event { title } people { quote person { name } }
  relatedCoverage(first: 5) { edges { score reason node { slug title agency { name } } } } } }"""

FULL_DETAIL = f"""query Full($slug: String!, $related: Int) {{ article(slug: $slug) {{
  {ARTICLE_FIELDS}
  agency {{ id slug name acronym website version region {{ code name level }} parent {{ slug }} }}
  event {{ id slug title description theme venue startsAt endsAt allDay version
    region {{ code }} organiser {{ acronym }} }}
  people {{ __typename kind quote person {{ id slug name position version agency {{ acronym }} }} }}
  tags {{ id slug label }} regions {{ id code name level }}
  electionStages {{ id code name nameEn startsOn endsOn ordinal legalBasis }}
  relatedCoverage(first: $related) {{ __typename
    pageInfo {{ __typename hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ __typename cursor score reason shared
      node {{ slug title publishedAt agency {{ name }} }} }}
    }} }} }}"""

ALIASED = """query ($slug: String!) {
  a: article(slug: $slug) { ...Head t: title source: agency { n: name ... on Node { id } } }
  b: article(slug: $slug) { ... on Node { id } tags { s: slug } } }
fragment Head on Article { slug headline: title publishedAt }"""

DRILL = """query Region($code: String!) { region(code: $code) { name ancestors { name }
  children { code name } agencies(first: 10) { totalCount nodes { name } }
  articles(first: 5) { totalCount nodes { title publishedAt } } } }"""

REGION_FULL = """query ($code: String!) { region(code: $code) {
  __typename id code name level parent { code name } ancestors { code level }
  children { code id }
  agencies(first: 3) { __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { slug name region { code } parent { slug } } edges { __typename cursor node { slug } } }
  events(first: 3) { totalCount edges { cursor }
    nodes { slug startsAt endsAt allDay startsOn endsOn } }
  articles(first: 4) { totalCount pageInfo { hasNextPage endCursor } edges { cursor }
    nodes { slug publishedAt status tags { slug } agency { acronym } } } } }"""

NODE = """query ($id: ID!) { node(id: $id) { __typename id ...Named
  ... on Article { slug agency { name } tags { slug } }
  ... on Agency { slug people(first: 2) { nodes { name } } events(first: 2) { nodes { title } }
    articles(first: 3) { totalCount nodes { slug } } }
  ... on Event { title articles(first: 2) { nodes { slug } } }
  ... on Person { name employer: agency { slug } articles(first: 2) { totalCount nodes { slug } } }
  ... on Tag { label articles(first: 2) { nodes { slug } } }
  ... on ElectionStage { code articles(first: 2) { totalCount } }
  ... on Region { code } } }
fragment Named on Node { ... on Region { name } ... on Agency { name } }"""

AGENCY = """query ($slug: String!) { agency(slug: $slug) {
  __typename id slug name acronym website version region { code name } parent { slug }
  type { __typename id code name nameEn description source version }
  people(first: 3) { totalCount nodes { name position } }
  events(first: 2) { totalCount pageInfo { hasNextPage } nodes { slug startsAt endsAt allDay } }
  articles(first: 3) { totalCount nodes { slug title agency { acronym } } } } }"""

EVENT = """{ event(slug: "forum-bakohumas-kaltim-2023") {
  title venue startsAt speakers { role topic person { name position agency { acronym } } }
  articles { nodes { title agency { name } electionStages { name }
    relatedCoverage { edges { score reason shared node { title agency { name } } } } } } } }"""

TAXONOMY = """query ($person: String!) {
  person(slug: $person) { id name position agency { slug } events(first: 2) { nodes { slug } }
    articles(first: 2) { totalCount nodes { slug } } }
  tag(slug: "pemilu-2024") { id slug label articles(first: 2) { totalCount nodes { slug } } }
  electionStage(code: "pencalonan_dpr_dprd") { id code name nameEn startsOn endsOn ordinal
    legalBasis election { id code name nameEn votingDay legalBasis } articles(first: 2) {
    totalCount } }
  missing: tag(slug: "tidak-ada") { slug } }"""

# Served by the general path: a directive, a last page, a field with no declaration, a filter.
DIRECTIVE = """query ($slug: String!, $body: Boolean!) { article(slug: $slug) {
  title body @include(if: $body) } }"""
LAST = """query ($slug: String!) { article(slug: $slug) {
  relatedCoverage(last: 2) { edges { cursor node { slug } } } } }"""
EMPTY_PAGE = """{ region(code: "19") { events(first: 2) {
  pageInfo { hasNextPage startCursor endCursor } edges { cursor } } } }"""
UNDECLARED = """query ($slug: String!) { article(slug: $slug) { title history { toStatus } } }"""
FILTERED = """query ($code: String!) { region(code: $code) {
  name articles(first: 3, orderBy: OLDEST) { nodes { slug } } } }"""

IDS = """query ($slug: String!) { article(slug: $slug) { id agency { id }
  event { id } people { person { id } } tags { id } electionStages { id } } }"""

# (document, variables, compiled statements: 0 for the general path); ``{draft}`` and ``{id}``
# are filled in by the test.
DOCUMENTS: list[tuple[str, dict[str, Any] | list[dict[str, Any]], int]] = [
    (DETAIL, {"slug": DEMO_ARTICLE}, 1),
    (DETAIL, {"slug": "{draft}"}, 1),
    (DETAIL, {"slug": "no-such-article"}, 1),
    (  # one document, page sizes from a variable: a shape per size
        FULL_DETAIL,
        [{"slug": DEMO_ARTICLE, "related": size} for size in (1, None, 1, 2)],
        1,
    ),
    (FULL_DETAIL, {"slug": "{draft}", "related": 3}, 1),
    (ALIASED, {"slug": DEMO_ARTICLE}, 2),
    (DRILL, {"code": "64"}, 1),
    (DRILL, {"code": "64.71"}, 1),
    (DRILL, {"code": "99.99"}, 1),
    (REGION_FULL, {"code": "64"}, 1),
    (REGION_FULL, {"code": "64.02"}, 1),
    (NODE, {"id": "{id}"}, 1),
    (AGENCY, {"slug": "diskominfo-kaltim"}, 1),
    (AGENCY, {"slug": "kantor-1"}, 1),
    (EVENT, {}, 1),
    (TAXONOMY, {"person": "sri-wahyuni"}, 4),
    (DIRECTIVE, {"slug": DEMO_ARTICLE, "body": False}, 0),
    (LAST, {"slug": DEMO_ARTICLE}, 0),
    (EMPTY_PAGE, {}, 1),
    (UNDECLARED, {"slug": "{draft}"}, 0),
    (FILTERED, {"code": "64"}, 0),
]


# Besides the anonymous public: a member of the draft's agency, another agency's admin.
VIEWERS = [
    ("kontributor@kukar.go.id", "diskominfo-kukar", MemberRole.CONTRIBUTOR),
    ("admin@ppu.go.id", "diskominfo-ppu", MemberRole.ADMIN),
]


@pytest.fixture
async def newsroom(demo: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    await factories.newsroom(sessions, agencies=4, per_agency=3)
    accented = await factories.ensure_agency(sessions, slug="humas-tarakan", region_code="64")
    async with sessions() as session, session.begin():  # a name cursors must escape
        agency = await session.get(Agency, accented)
        assert agency is not None
        agency.name = "Bagian Humas — Pemkot Tarakan “Kota Baru”"
    async with sessions() as session, session.begin():  # known by its days only
        session.add(
            Event(
                slug="pekan-literasi-digital",
                title="Pekan literasi digital",
                region_code="64.02",
                all_day=True,
                starts_at=day_start(date(2024, 1, 8)),
                ends_at=day_start(date(2024, 1, 12)),
            )
        )
    await factories.add_article(
        sessions,
        agency_slug="diskominfo-kukar",
        slug=DRAFT,
        status=ArticleStatus.DRAFT,
        regions=["64.02"],
        tags=["pemilu"],
    )


async def _node_ids(general: GraphQLClient) -> list[str]:
    found = (await general(IDS, {"slug": DEMO_ARTICLE}))["article"]
    ids = [found["id"], found["agency"]["id"], found["event"]["id"]]
    ids += [mention["person"]["id"] for mention in found["people"][:1]]
    ids += [item["id"] for item in (found["tags"][:1] + found["electionStages"][:1])]
    region = await general('{ region(code: "64.71") { id } }')
    return [*ids, region["region"]["id"], "QXJ0aWNsZTo5OTk5OTk5"]  # Article:9999999


@pytest.mark.parametrize(("document", "variables", "compiled"), DOCUMENTS)
async def test_compiled_path_equals_general_path(
    newsroom: None,
    app: Starlette,
    gql: GraphQLClient,
    general: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    document: str,
    variables: dict[str, Any] | list[dict[str, Any]],
    compiled: int,
) -> None:
    viewers: list[dict[str, str] | None] = [None]
    for email, agency, role in VIEWERS:
        await factories.add_account(sessions, settings, email, roles={agency: role})
        viewers.append(await factories.headers_for(gql, email))
    given = variables if isinstance(variables, list) else [variables]
    filled = [
        {name: DRAFT if value == "{draft}" else value for name, value in v.items()} for v in given
    ]
    if given[0].get("id") == "{id}":
        filled = [{"id": node_id} for node_id in await _node_ids(general)]
    for values in filled:
        for headers in viewers:
            fast = await gql.execute(document, values, headers=headers)
            slow = await general.execute(document, values, headers=headers)
            assert "errors" not in fast, fast
            assert json.dumps(fast) == json.dumps(slow), (values, headers is None)
        with count_statements(app.state.engine) as log:
            await gql(document, values)
        read = [s for s in log.statements if s.startswith("SELECT CAST(json_build_object(")]
        assert len(read) == compiled, log.statements
        if compiled:
            assert log.count == compiled, log.statements


# Fields of the declared types that have no declaration yet (their documents take the general
# path): the goal is none.
NOT_DECLARED = {"Article": {"history"}, "Person": {"quotes"}}


def test_fields_without_declarations() -> None:
    schema = build_schema()._schema
    missing = {}
    for type_name, declared in TYPES.items():
        graphql_type: Any = schema.get_type(type_name)
        if fields := set(graphql_type.fields) - set(declared.fields):
            missing[type_name] = fields
    assert missing == NOT_DECLARED


async def test_refused_page_sizes_keep_their_errors(
    newsroom: None, gql: GraphQLClient, general: GraphQLClient
) -> None:
    """A page size the general path refuses is refused the same way (the compiled path steps
    aside for it), and the same document with an accepted size is compiled again."""
    document = """query ($n: Int) { region(code: "64") { name agencies(first: $n) {
      totalCount } } }"""
    for size in (500, -1, 3, 500):
        fast = without_request_ids(await gql.execute(document, {"n": size}))
        slow = without_request_ids(await general.execute(document, {"n": size}))
        assert fast == slow
        assert ("errors" in fast) is (size != 3)


def test_compiled_answers_record_what_they_read() -> None:
    """For the response cache: the looked-up row and the lists under it, as the resolvers
    record them; any article (or event) where the statement does not tell which."""
    node = Pick("nodes", "nodes", Shape("Article", (Pick("slug", "slug"),)))
    articles = Pick("articles", "articles", Shape("ArticleConnection", (node,)), limit=5)
    event = Pick("event", "event", Shape("Event", (Pick("title", "title"),)))
    region = Shape("Region", (Pick("name", "name"), articles))
    detail = Shape("Article", (Pick("title", "title"), event))
    edge = Shape("RelatedArticleEdge", (Pick("node", "node", Shape("Article", ())),))
    related_page = Shape("RelatedArticleConnection", (Pick("edges", "edges", edge),))
    related = Pick("relatedCoverage", "relatedCoverage", related_page, limit=5)
    listed = Shape("Article", (Pick("slug", "slug"), related))
    deeper = Pick("articles", "articles", Shape("ArticleConnection", (Pick("n", "nodes", listed),)))
    with reads.recording() as region_reads:
        record_reads(region, "code", "64")
    assert region_reads.article_lists == {replace(NO_FILTER, region_code="64")}
    assert not region_reads.entities
    assert not region_reads.event_lists
    with reads.recording() as detail_reads:
        record_reads(detail, "slug", DRAFT)
    assert detail_reads.entities == {(reads.ARTICLE_SLUG, DRAFT)}
    assert detail_reads.event_lists
    assert not detail_reads.article_lists
    with reads.recording() as wide:
        record_reads(Shape("Region", (replace(deeper, limit=5),)), "code", "64")
    assert wide.article_lists == {None}
