"""Global IDs: ``node``/``nodes`` round trips, unknown IDs are null, malformed IDs are errors."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.resolvers import global_id
from tests.helpers import GraphQLClient

IDS = """{
  region(code: "64.71") { id }
  agency(slug: "diskominfo-kaltim") { id }
  event(slug: "forum-bakohumas-kaltim-2023") { id }
  person(slug: "muhammad-faisal") { id }
  article(slug: "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023") { id }
  electionStage(code: "kampanye") { id }
  tag(slug: "bakohumas") { id }
}"""

NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on Region { code } ... on Agency { slug } ... on Event { slug } ... on Person { slug }
  ... on Article { slug } ... on ElectionStage { code } ... on Tag { slug } } }"""


async def test_every_node_round_trips(demo: str, gql: GraphQLClient) -> None:
    objects = await gql(IDS)
    for field, value in objects.items():
        node = (await gql(NODE, {"id": value["id"]}))["node"]
        assert node is not None, field
        assert node["id"] == value["id"]
        assert node["__typename"].lower() == field.lower()
    ids = [value["id"] for value in objects.values()]
    nodes = (await gql("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}))["nodes"]
    assert [node["id"] for node in nodes] == ids


async def test_unknown_ids_are_null_and_malformed_ids_are_errors(
    demo: str, gql: GraphQLClient
) -> None:
    unknown = [
        global_id.encode("Article", 999999),
        global_id.encode("Region", "99.99"),
        global_id.encode("Spaceship", 1),
        global_id.encode("Agency", "not-a-number"),
    ]
    data = await gql("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": unknown})
    assert data["nodes"] == [None, None, None, None]
    for bad in ("not base64 at all!", "QQ", ""):
        errors = await gql.errors(NODE, {"id": bad})
        assert errors[0]["extensions"] == {"code": "INVALID_INPUT", "field": "id"}
        assert "not a valid ID" in errors[0]["message"]


async def test_hidden_articles_are_null_by_id(
    demo: str, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    slug = "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023"
    article_id = (await gql(f'{{ article(slug: "{slug}") {{ id }} }}'))["article"]["id"]
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE articles SET status = 'draft', published_at = NULL WHERE slug = :slug"),
            {"slug": slug},
        )
    assert (await gql(NODE, {"id": article_id}))["node"] is None
