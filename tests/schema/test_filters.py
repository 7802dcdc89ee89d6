"""Article filters over HTTP: each alone, combined (AND), region subtrees, unknown codes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import factories
from tests.helpers import GraphQLClient

LIST = """query ($filter: ArticleFilter, $order: ArticleOrder) {
  articles(filter: $filter, orderBy: $order, first: 100) { totalCount nodes { slug title } } }"""
KUKAR = "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023"
FORUM = {
    "Forum Bakohumas Kaltim 2023: Humas Satukan Langkah Sambut Pemilu Serentak 2024",
    "Diskominfo Kukar Ikuti Forum Bakohumas se-Kaltim 2023 di Balikpapan",
}


async def slugs(
    gql: GraphQLClient, article_filter: dict[str, object], order: str | None = None
) -> list[str]:
    data = (await gql(LIST, {"filter": article_filter, "order": order}))["articles"]
    assert data["totalCount"] == len(data["nodes"])
    return [node["slug"] for node in data["nodes"]]


async def titles(gql: GraphQLClient, article_filter: dict[str, object]) -> set[str]:
    data = (await gql(LIST, {"filter": article_filter}))["articles"]
    assert data["totalCount"] == len(data["nodes"])
    return {node["title"] for node in data["nodes"]}


async def test_each_filter_alone_and_combined(
    demo: str, gql: GraphQLClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    samarinda = await factories.agency(sessions, slug="diskominfo-samarinda", region_code="64.72")
    bawaslu = await factories.agency(
        sessions, slug="bawaslu-sulsel", region_code="73", type_code="bawaslu"
    )
    banjir = await factories.tag(sessions, "banjir")
    ketua = await factories.person(sessions, "ketua-bawaslu")
    await factories.article(
        sessions,
        agency_id=samarinda,
        title="A",
        regions=("64.72",),
        tag_ids=(banjir,),
        stages=("kampanye",),
        published_at=datetime(2024, 1, 5, tzinfo=UTC),
        category="announcement",
    )
    await factories.article(
        sessions,
        agency_id=bawaslu,
        title="B",
        regions=("73",),
        stages=("kampanye",),
        quoted=(ketua,),
        published_at=datetime(2024, 2, 5, tzinfo=UTC),
        language="en",
    )
    await factories.article(
        sessions,
        agency_id=samarinda,
        title="C",
        regions=("64.72",),
        tag_ids=(banjir,),
        published_at=datetime(2024, 3, 5, tzinfo=UTC),
    )
    cases: list[tuple[dict[str, object], set[str]]] = [
        ({}, {"A", "B", "C"} | FORUM),
        ({"agency": "diskominfo-samarinda"}, {"A", "C"}),
        ({"agencyType": "bawaslu"}, {"B"}),
        ({"region": "64.72"}, {"A", "C"}),
        ({"region": "64"}, {"A", "C"} | FORUM),  # the province includes its cities
        (
            {"region": "64.02"},
            {"Diskominfo Kukar Ikuti Forum Bakohumas se-Kaltim 2023 di Balikpapan"},
        ),
        ({"region": "73"}, {"B"}),
        ({"event": "forum-bakohumas-kaltim-2023"}, FORUM),
        ({"electionStage": "kampanye"}, {"A", "B"}),
        ({"tag": "banjir"}, {"A", "C"}),
        ({"person": "ketua-bawaslu"}, {"B"}),
        ({"category": "ANNOUNCEMENT"}, {"A"}),
        ({"language": "ENGLISH"}, {"B"}),
        ({"publishedAfter": "2024-02-05T00:00:00Z"}, {"B", "C"}),
        ({"publishedBefore": "2024-01-01T00:00:00Z"}, FORUM),
        # combined: AND
        ({"region": "64", "tag": "banjir", "electionStage": "kampanye"}, {"A"}),
        ({"region": "73", "tag": "banjir"}, set()),
        ({"agency": "diskominfo-samarinda", "publishedAfter": "2024-02-01T00:00:00Z"}, {"C"}),
        (
            {"tag": "bakohumas", "person": "surya-admaja"},
            {"Diskominfo Kukar Ikuti Forum Bakohumas se-Kaltim 2023 di Balikpapan"},
        ),
    ]
    for article_filter, expected in cases:
        assert await titles(gql, article_filter) == expected, article_filter


async def test_orderings(demo: str, gql: GraphQLClient) -> None:
    newest = await slugs(gql, {})
    assert await slugs(gql, {}, "OLDEST") == list(reversed(newest))
    assert (await slugs(gql, {}, "MOST_VIEWED"))[0] == (
        "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"
    )
    errors = await gql.errors(LIST, {"filter": {}, "order": "RELEVANCE"})
    assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": "orderBy"}


async def test_unknown_codes_are_clear_errors(demo: str, gql: GraphQLClient) -> None:
    cases = {
        "region": ("99.99", "unknown region code `99.99`"),
        "agency": ("nobody", "unknown agency slug `nobody`"),
        "agencyType": ("x", "unknown agency type code `x`"),
        "event": ("x", "unknown event slug"),
        "electionStage": ("x", "unknown election stage code"),
        "tag": ("x", "unknown tag slug"),
        "person": ("x", "unknown person slug"),
    }
    for field, (value, message) in cases.items():
        errors = await gql.errors(LIST, {"filter": {field: value}})
        assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": f"filter.{field}"}
        assert message in errors[0]["message"]
    errors = await gql.errors(
        LIST,
        {
            "filter": {
                "publishedAfter": "2024-02-01T00:00:00Z",
                "publishedBefore": "2024-01-01T00:00:00Z",
            }
        },
    )
    assert errors[0]["extensions"]["field"] == "filter.publishedBefore"


async def test_nested_article_lists_apply_the_parent(demo: str, gql: GraphQLClient) -> None:
    data = await gql("""{
      region(code: "64.02") { articles { nodes { slug } } }
      tag(slug: "bakohumas") { articles(filter: {agency: "poskaltim-id"}) { nodes { slug } } }
      person(slug: "surya-admaja") { articles { nodes { slug } }
        quotes { nodes { text article { slug } } } }
      electionStage(code: "pemungutan_suara") { articles { totalCount } }
    }""")
    kukar = [{"slug": KUKAR}]
    assert data["region"]["articles"]["nodes"] == kukar
    assert data["tag"]["articles"]["nodes"] == kukar
    assert data["person"]["articles"]["nodes"] == kukar
    assert data["person"]["quotes"]["nodes"][0]["article"] == kukar[0]
    assert data["electionStage"]["articles"]["totalCount"] == 2
