"""Elections and their stages through the API: both 2024 calendars, an article filed under
stages of both, the filter by election, and unknown codes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account, ensure_agency, headers_for
from tests.helpers import GraphQLClient

ELECTIONS = """{ elections { code name votingDay legalBasis }
  pilkada: election(code: "pilkada_2024") { id code }
  nope: election(code: "pemilu_1955") { code } }"""

STAGES = """query ($election: String, $activeOn: Date) {
  electionStages(election: $election, activeOn: $activeOn, first: 100) {
    totalCount nodes { code ordinal legalBasis election { code } } } }"""

CREATE = """mutation ($input: CreateArticleInput!) {
  createArticle(input: $input) {
    article { slug electionStages { code election { code votingDay } } }
    errors { field code message } } }"""


async def test_both_calendars(gql: GraphQLClient) -> None:
    data = await gql(ELECTIONS)
    assert [(e["code"], e["votingDay"]) for e in data["elections"]] == [
        ("pemilu_2024", "2024-02-14"),
        ("pilkada_2024", "2024-11-27"),
    ]
    assert all(e["legalBasis"] for e in data["elections"])
    assert data["nope"] is None
    node = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Election { code } } }",
        {"id": data["pilkada"]["id"]},
    )
    assert node["node"] == {"code": "pilkada_2024"}

    pilkada = (await gql(STAGES, {"election": "pilkada_2024"}))["electionStages"]
    assert pilkada["totalCount"] == 17
    assert {node["election"]["code"] for node in pilkada["nodes"]} == {"pilkada_2024"}
    ordinals = [node["ordinal"] for node in pilkada["nodes"]]
    assert ordinals == sorted(ordinals)
    assert all("PKPU 2/2024" in node["legalBasis"] for node in pilkada["nodes"])

    # On 25 September 2024 only the regional campaign ran (the general election was over).
    running = (await gql(STAGES, {"activeOn": "2024-09-25"}))["electionStages"]["nodes"]
    assert [node["code"] for node in running] == ["pilkada_kampanye"]
    # On 1 October 2024 the DPR/DPD members were sworn in during the regional campaign.
    running = (await gql(STAGES, {"activeOn": "2024-10-01"}))["electionStages"]["nodes"]
    assert {node["code"] for node in running} == {"sumpah_dpr_dpd", "pilkada_kampanye"}


async def test_unknown_election_is_an_error(gql: GraphQLClient) -> None:
    errors = await gql.errors(STAGES, {"election": "pilkada_2029"})
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    assert "pilkada_2029" in errors[0]["message"]


async def test_article_with_stages_of_both_elections(
    gql: GraphQLClient,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await ensure_agency(sessions, slug="kpu-kaltim", type_code="kpu")
    await add_account(
        sessions, settings, "penulis@kpu.go.id", roles={"kpu-kaltim": MemberRole.CONTRIBUTOR}
    )
    headers = await headers_for(gql, "penulis@kpu.go.id")
    data = await gql(
        CREATE,
        {
            "input": {
                "agencySlug": "kpu-kaltim",
                "title": "Evaluasi pemilu dan persiapan pilkada",
                "body": "<p>Rapat evaluasi rekapitulasi dan rencana kampanye daerah.</p>",
                "stageCodes": ["pilkada_kampanye", "rekapitulasi"],
            }
        },
        headers=headers,
    )
    payload = data["createArticle"]
    assert payload["errors"] == []
    # In calendar order: the general election's stage first.
    assert payload["article"]["electionStages"] == [
        {"code": "rekapitulasi", "election": {"code": "pemilu_2024", "votingDay": "2024-02-14"}},
        {
            "code": "pilkada_kampanye",
            "election": {"code": "pilkada_2024", "votingDay": "2024-11-27"},
        },
    ]
