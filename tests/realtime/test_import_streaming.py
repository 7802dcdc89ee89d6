"""Imports reach live subscribers only when the importer asks (a backfill stays quiet)."""

from __future__ import annotations

from tests.factories import OpenDesk, Sessions, ensure_agency
from tests.live_client import LiveClient

IMPORT = """mutation ($input: ImportArticleInput!) {
  importArticle(input: $input) { outcome errors { code message } } }"""


async def test_only_streamed_imports_are_delivered(
    address: str, sessions: Sessions, open_desk: OpenDesk
) -> None:
    await ensure_agency(sessions, slug="kpu-kutim", type_code="kpu", region_code="64.08")
    desk = await open_desk(f"http://{address}", "kpu-kutim")

    async def import_(number: int, *, stream: bool) -> None:
        variables = {
            "input": {
                "agencySlug": "kpu-kutim",
                "canonicalUrl": f"https://kutim.kpu.go.id/berita/{number}",
                "publishedAt": f"2024-09-{number:02d}T10:00:00+08:00",
                "title": f"Kabar tahapan pilkada nomor {number}",
                "body": "<p>Kabar dari KPU Kutai Timur.</p>",
                "regionCodes": ["64.08"],
                "stream": stream,
            }
        }
        data = await desk.gql(IMPORT, variables, headers=desk.headers)
        assert data["importArticle"]["errors"] == []

    start = (await desk.gql("{ liveCursor }"))["liveCursor"]
    url = f"ws://{address}/graphql"
    async with LiveClient.connect(url) as client:
        await client.subscribe_articles("province", regionCode="64")
        await client.quiet(0.2)
        for number in range(1, 6):  # an archive backfill
            await import_(number, stream=False)
        await import_(6, stream=True)
        (delivered,) = await client.events(1)
        await client.quiet(0.5)
    assert delivered["kind"] == "IMPORTED"
    assert delivered["article"]["title"] == "Kabar tahapan pilkada nomor 6"

    # Resuming from before the backfill replays the streamed import only.
    async with LiveClient.connect(url) as client:
        await client.subscribe_articles("resumed", after=start, regionCode="64")
        (replayed,) = await client.events(1)
        await client.quiet(0.5)
    assert replayed == delivered
