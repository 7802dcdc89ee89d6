"""GraphiQL offline: the page and every asset come from Hub itself, and the first tab's query
runs and shows data (headless Chromium, a real server)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest

from hub.settings import Settings
from tests.browser import CHROMIUM, browser_page
from tests.factories import Sessions, add_article, ensure_agency
from tests.realtime.factories import approve_article
from tests.servers import serving

pytestmark = pytest.mark.slow


async def test_page_and_assets(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "hub.js"):
        assert f"/graphiql/{name}" in page.text
        asset = await http.get(f"/graphiql/{name}")
        assert asset.status_code == 200, name
        assert len(asset.content) > 1000
    for missing in ("nope.js", "VERSIONS", "LICENSE.react", "..%2Fgraphiql.html"):
        assert (await http.get(f"/graphiql/{missing}")).status_code == 404


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (Debian package `chromium`)")
async def test_graphiql_runs_the_first_tab_offline(
    full_demo: str, settings: Settings, sessions: Sessions
) -> None:
    await ensure_agency(sessions, slug="diskominfo-graphiql")
    article = await add_article(sessions, agency_slug="diskominfo-graphiql", slug="uji-graphiql")
    async with serving(settings) as address, browser_page() as page:
        await page.call("Network.enable")
        await page.call("Page.navigate", url=f"http://{address}/graphql")
        await page.wait_for("!!document.querySelector('.graphiql-execute-button')", 30)
        query = await page.evaluate("document.querySelector('.graphiql-query-editor').innerText")
        assert "LatestArticles" in query
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        result = await page.wait_for(
            "(document.querySelector('.result-window') || {}).innerText"
            " && document.querySelector('.result-window').innerText.includes('totalCount')"
            " && document.querySelector('.result-window').innerText",
            30,
        )
        assert '"totalCount": 242' in result

        # subscriptions run over the same origin's WebSocket
        await page.evaluate(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue("
            "'subscription { articlePublished { kind article { slug } } }')"
        )
        await asyncio.sleep(1)  # GraphiQL re-reads the operation name shortly after an edit
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        await asyncio.sleep(1)  # subscribed (the broker starts from the current head)
        await approve_article(sessions, article)
        await page.wait_for(
            "document.querySelector('.result-window').innerText.includes('uji-graphiql')", 30
        )
        requested = {
            event["params"]["request"]["url"]
            for event in page.events
            if event["method"] == "Network.requestWillBeSent"
        }
    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {address}, requested
    assert any(url.endswith("/graphiql/graphiql.min.js") for url in requested)
