"""The first read fields end to end over HTTP: regions, agencies, the demo event, articles."""

from __future__ import annotations

from tests.helpers import GraphQLClient, count_statements

DEMO_EVENT = """
query ($slug: String!) {
  event(slug: $slug) {
    title venue theme startsAt
    region { code name parent { code name } }
    organiser { slug acronym type { code } }
    speakers { role person { name position agency { slug } } }
    articles { nodes { slug title status agency { slug } event { slug }
               regions { code } tags { slug } electionStages { code ordinal } } }
  }
}
"""


async def test_demo_event_has_speakers_and_both_articles(demo: str, gql: GraphQLClient) -> None:
    event = (await gql(DEMO_EVENT, {"slug": "forum-bakohumas-kaltim-2023"}))["event"]

    assert event["title"] == "Forum Bakohumas se-Kalimantan Timur 2023"
    assert event["venue"] == "Swiss-Belhotel Balikpapan"
    assert event["startsAt"].startswith("2023-07-10")
    assert event["region"] == {
        "code": "64.71",
        "name": "Kota Balikpapan",
        "parent": {"code": "64", "name": "Kalimantan Timur"},
    }
    assert event["organiser"]["type"]["code"] == "diskominfo_provinsi"
    speakers = {(s["role"], s["person"]["name"]) for s in event["speakers"]}
    assert speakers == {
        ("OPENING", "Sri Wahyuni"),
        ("KEYNOTE", "Muhammad Faisal"),
        ("SPEAKER", "Kombes Pol Yusuf Sutejo"),
        ("SPEAKER", "Galeh Akbar Tanjung"),
        ("SPEAKER", "Romdani"),
    }
    outlets = {article["agency"]["slug"] for article in event["articles"]["nodes"]}
    assert outlets == {"diskominfo-kaltim", "poskaltim-id"}
    for article in event["articles"]["nodes"]:
        assert article["status"] == "APPROVED"
        assert article["event"] == {"slug": "forum-bakohumas-kaltim-2023"}
        assert {"code": "64"} in article["regions"]
        assert article["electionStages"], "demo articles are tagged with election stages"
        assert [s["ordinal"] for s in article["electionStages"]] == sorted(
            s["ordinal"] for s in article["electionStages"]
        )


async def test_region_children_and_missing_region(database_url: str, gql: GraphQLClient) -> None:
    data = await gql(
        '{ kaltim: region(code: "64") { name children { code level } } '
        'nowhere: region(code: "99.99") { name } }'
    )
    children = data["kaltim"]["children"]
    assert data["nowhere"] is None
    assert [c["code"] for c in children] == [
        "64.01",
        "64.02",
        "64.03",
        "64.07",
        "64.08",
        "64.09",
        "64.11",
        "64.71",
        "64.72",
        "64.74",
    ]
    assert sum(c["level"] == "CITY" for c in children) == 3


async def test_provinces_list(database_url: str, gql: GraphQLClient) -> None:
    data = await gql(
        "{ regions(level: PROVINCE, first: 100) { totalCount nodes { code parent { code } } } }"
    )
    assert data["regions"]["totalCount"] == len(data["regions"]["nodes"]) == 38
    assert all(region["parent"] is None for region in data["regions"]["nodes"])


async def test_only_approved_articles_are_listed(demo: str, gql: GraphQLClient, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE articles SET status = 'draft', published_at = NULL "
                "WHERE slug = 'diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023'"
            )
        )
    data = await gql(
        "{ articles { nodes { slug } } draft: article(slug: "
        '"diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023") { slug } }'
    )
    assert [a["slug"] for a in data["articles"]["nodes"]] == [
        "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024"
    ]
    assert data["draft"] is None


async def test_oversized_page_is_a_clear_error(database_url: str, gql: GraphQLClient) -> None:
    errors = await gql.errors("{ articles(first: 1000) { nodes { slug } } }")
    assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": "first"}
    assert "at most 100" in errors[0]["message"]


async def test_nested_edges_are_batched(demo: str, gql: GraphQLClient, app) -> None:  # type: ignore[no-untyped-def]
    query = """{
      agencies(first: 50) { nodes { slug type { code } region { code parent { code } } } }
      articles(first: 20) { nodes {
        agency { slug } regions { code } tags { slug } electionStages { code }
        event { speakers { person { name } } }
      } }
    }"""
    with count_statements(app.state.engine) as log:
        await gql(query)
    # agencies, types, regions, parent regions, articles, agencies of articles (same loader
    # as above, already cached or batched), article regions, tags, stages, events, speakers,
    # people: one statement per edge, however many rows.
    assert log.count <= 12, log.statements


async def test_health(http) -> None:  # type: ignore[no-untyped-def]
    assert (await http.get("/health/live")).json() == {"status": "ok"}
    assert (await http.get("/health/ready")).json() == {"status": "ok", "database": "up"}
