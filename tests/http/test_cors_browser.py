"""A browser app on another origin calls ``/graphql``: Chromium sends the preflight (a JSON body
and a request id are not a "simple" request), reads the answer when its origin is allowed, and
is refused the answer when it is not."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator

import pytest

from hub.settings import Settings
from tests.browser import CHROMIUM, browser_page
from tests.servers import serving

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here (Debian package `chromium`)"
)

# The app: one fetch to the Hub named in its address (``?hub=``), its outcome left in the page
# for the test to read.
APP = b"""<!doctype html><meta charset="utf-8"><title>portal</title><script>
const hub = new URLSearchParams(location.search).get("hub");
fetch(hub + "/graphql", {
  method: "POST",
  headers: {"Content-Type": "application/json", "X-Request-ID": "portal-1"},
  body: JSON.stringify({query: '{ region(code: "64") { name } }'}),
}).then(r => r.json()).then(
  body => { window.outcome = "read:" + body.data.region.name; },
  error => { window.outcome = "refused:" + error.name; });
</script>"""


@contextlib.contextmanager
def app_origin() -> Iterator[str]:
    """Serve the app page from an origin of its own (another port); yields that origin."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(APP)))
            self.end_headers()
            self.wfile.write(APP)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def outcome_in_browser(origin: str, hub: str) -> str:
    async with browser_page() as page:
        await page.call("Page.navigate", url=f"{origin}/?hub={hub}")
        found: str = await page.wait_for("window.outcome", 30)
        return found


async def test_a_browser_app_reads_answers_only_from_an_allowed_origin(
    settings: Settings,
) -> None:
    with app_origin() as allowed, app_origin() as other:
        settings.cors_allowed_origins = allowed
        async with serving(settings) as address:
            hub = f"http://{address}"
            assert await outcome_in_browser(allowed, hub) == "read:Kalimantan Timur"
            assert await outcome_in_browser(other, hub) == "refused:TypeError"
