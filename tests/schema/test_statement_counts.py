"""No N+1: every list field costs the same SQL statements for 100 items as for 5, nested edges
and nested lists included: at most one statement per selection set, whatever the row count.

A DataLoader used by several fields of one level runs as one batch or as two depending on when
their parents resolve, so the check compares the statements themselves (parameters aside) and
bounds their number, rather than comparing two counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.settings import Settings
from tests import factories
from tests.helpers import GraphQLClient, count_statements

PARAMETERS = re.compile(r"\$\d+(::[A-Z ]+(\[\])?)?(, \$\d+(::[A-Z ]+(\[\])?)?)*")
LIMITS = re.compile(r"LIMIT \d+")  # page sizes are written into the text (hub/db/binds.py)

ARTICLE = """id slug title publishedAt viewCount agency { name type { code } region { code } }
  event { slug organiser { slug } speakers { role person { name } } }
  regions { code parent { code } } tags { slug } electionStages { code }
  people { kind quote person { name agency { slug } } }"""

LISTS = {
    "articles": "articles(first: PAGE) { totalCount edges { cursor node { ARTICLE } } }",
    "articles-search": 'articles(search: "pelayanan", first: PAGE) { edges { score highlight { title } node { ARTICLE } } }',
    "articles-filtered": 'articles(filter: {region: "64", tag: "topik-1"}, first: PAGE) { nodes { ARTICLE } }',
    "regions": "regions(first: PAGE) { nodes { code parent { code } children { code } } }",
    "agencies": "agencies(first: PAGE) { nodes { slug type { code } region { code } parent { slug } } }",
    "events": "events(first: PAGE) { nodes { slug region { code } organiser { slug } speakers { person { name } } } }",
    "people": "people(first: PAGE) { nodes { name agency { slug } } }",
    "tags": "tags(first: PAGE) { nodes { slug } }",
    "electionStages": "electionStages(first: PAGE) { nodes { code } }",
    "search": 'search(query: "pelayanan", first: PAGE) { edges { node { ... on Article { ARTICLE } } } }',
    "region.nested": """regions(level: REGENCY, first: PAGE) { nodes { code
        articles(first: PAGE) { totalCount nodes { ARTICLE } }
        agencies(first: PAGE) { totalCount nodes { slug } } events(first: PAGE) { nodes { slug } } } }""",
    "agency.nested": """agencies(first: PAGE) { nodes { slug
        articles(first: PAGE) { totalCount nodes { ARTICLE } }
        events(first: PAGE) { nodes { slug } } people(first: PAGE) { nodes { name } } } }""",
    "event.articles": "events(first: PAGE) { nodes { articles(first: PAGE) { nodes { ARTICLE } } } }",
    "person.nested": """people(first: PAGE) { nodes { articles(first: PAGE) { nodes { slug } }
        events(first: PAGE) { nodes { slug } } quotes(first: PAGE) { nodes { text article { slug } } } } }""",
    "tag.articles": "tags(first: PAGE) { nodes { articles(first: PAGE) { nodes { ARTICLE } } } }",
    "stage.articles": "electionStages(first: PAGE) { nodes { articles(first: PAGE) { totalCount nodes { slug } } } }",
    "relatedCoverage": "articles(first: PAGE) { nodes { relatedCoverage(first: PAGE) { edges { score node { ARTICLE } } } } }",
}


@pytest.fixture
async def newsroom(database_url: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    await factories.newsroom(sessions, agencies=12, per_agency=10)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Pages of 100 inside pages of 100 cost far more than an anonymous operation may
    (``hub.schema.limits``); what is measured here is the statements they take."""
    return factories.settings_for(database_url, tmp_path, cost_budget_anonymous=10**7)


@pytest.mark.parametrize("name", list(LISTS))
async def test_statements_do_not_grow_with_page_size(
    newsroom: None, app: Starlette, gql: GraphQLClient, name: str
) -> None:
    template = "{ " + LISTS[name].replace("ARTICLE", ARTICLE) + " }"
    counts = {}
    sizes = {}
    shapes = {}
    await gql(template.replace("PAGE", "1"))  # fills process-wide caches (the region tree)
    for size in (5, 100):
        with count_statements(app.state.engine) as log:
            data = await gql(template.replace("PAGE", str(size)))
        counts[size] = log.count
        sizes[size] = len(str(data))
        shapes[size] = {
            LIMITS.sub("LIMIT $n", PARAMETERS.sub("$n", statement)) for statement in log.statements
        }
    # One statement per selection set at most (+1 for totalCount), whatever the number of rows:
    # 100 rows with a statement each would be far above it.
    bound = template.count("{") + 1
    assert counts[5] <= bound, (name, counts, bound)
    assert counts[100] <= bound, (name, counts, bound)
    assert shapes[5] == shapes[100], name  # the same statements, whatever the page size
    assert sizes[100] > sizes[5], f"{name}: the larger page should hold more items"
