"""Which article statements PostgreSQL may plan once (generic plan) and which per execution.

A page's LIMIT written into the text lets PostgreSQL settle on one generic plan; a LIMIT left as
a parameter makes the generic plan look costly, so each execution is planned for its values.
Lists whose best plan depends on their values (search words, a rare or a common tag) must keep
it a parameter; a region's feed and unfiltered lists have one best plan.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from hub.auth import ANONYMOUS
from hub.db.keyset import Page
from hub.db.repositories.article import ArticleOrder, ArticleQuery
from hub.db.repositories.article_rows import ArticleNeeds, StatementCache
from hub.filters import ArticleFilter

NEEDS = ArticleNeeds(article=frozenset({"title"}))
PAGE = Page(20)


def final_limit(query: ArticleQuery) -> str:
    sql, _parameters = StatementCache().get(PGDialect_asyncpg(), ANONYMOUS, query, NEEDS, PAGE)
    limits = re.findall(r"LIMIT (\$?\w+)", sql)
    assert limits, sql
    return limits[0]


@pytest.mark.parametrize(
    "query",
    [
        ArticleQuery(),
        ArticleQuery(filter=ArticleFilter(region_code="64")),
        ArticleQuery(order=ArticleOrder.MOST_VIEWED),
    ],
    ids=["all", "region feed", "most viewed"],
)
def test_lists_with_one_best_plan_write_their_page_size(query: ArticleQuery) -> None:
    assert query.generic_plan
    assert final_limit(query) == "21"  # the page and one more row: is there a next page


@pytest.mark.parametrize(
    "query",
    [
        ArticleQuery(words=("pemilu",), order=ArticleOrder.RELEVANCE),
        ArticleQuery(words=("pemilu",), order=ArticleOrder.NEWEST),
        ArticleQuery(filter=ArticleFilter(tag_id=7)),
        ArticleQuery(filter=ArticleFilter(region_code="64", agency_id=3)),
        ArticleQuery(filter=ArticleFilter(region_code="64"), order=ArticleOrder.MOST_VIEWED),
    ],
    ids=["search", "search by date", "tag", "region and agency", "region's most viewed"],
)
def test_lists_planned_for_their_values_keep_a_parameter(query: ArticleQuery) -> None:
    assert not query.generic_plan
    assert final_limit(query).startswith("$")
