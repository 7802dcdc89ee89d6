"""A WordPress site on a local port, for ``hub import wordpress`` tests: a real HTTP server
serving REST responses shaped like WordPress's own (``wordpress/*.json``, written for these
tests) with WordPress's query parameters, pagination headers and Link headers.

The REST root is where the site says it is: a path other than ``/wp-json/`` (``/api/``), or
the plain-permalink form (``/?rest_route=/``). Posts are filtered by ``modified_after``,
ordered by ``orderby``/``order`` and paged by ``per_page``/``page`` (``X-WP-Total``,
``X-WP-TotalPages``, ``Link: rel="next"``; a page past the end is WordPress's 400
``rest_post_invalid_page_number``). ``_embed`` embeds author, terms and featured media unless
the site is told not to. Every request is logged; ``fail`` makes chosen requests answer 500.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

DATA = Path(__file__).parent / "wordpress"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@dataclass
class Site:
    """What the server serves, changeable while it runs."""

    rest_style: str = "path"  # `path`: /api/ ; `query`: /?rest_route=/ ; `none`: no API
    embed: bool = True
    posts: list[dict[str, Any]] = field(default_factory=lambda: load("posts.json"))
    terms: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: load("terms.json"))
    media: list[dict[str, Any]] = field(default_factory=lambda: load("media.json"))
    users: list[dict[str, Any]] = field(default_factory=lambda: load("users.json"))
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (route, params)
    fail: Callable[[str, dict[str, str]], bool] = lambda route, params: False
    delay: float = 0.0  # seconds each request for posts takes
    base: str = ""  # http://127.0.0.1:port, set when serving

    @property
    def root(self) -> str:
        return f"{self.base}/api/" if self.rest_style == "path" else f"{self.base}/?rest_route=/"

    def post_requests(self) -> list[dict[str, str]]:
        return [params for route, params in self.requests if route == "/wp/v2/posts"]


def _filled(value: Any, base: str) -> Any:
    """The stored response with the site's address in place of ``{site}``."""
    return json.loads(json.dumps(value).replace("{site}", base))


class Handler(BaseHTTPRequestHandler):
    site: Site  # set on the server's handler class

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet in tests

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        site = self.site
        if site.rest_style == "path" and parts.path.startswith("/api/"):
            route = "/" + parts.path.removeprefix("/api/").strip("/")
        elif site.rest_style == "query" and "rest_route" in params:
            route = "/" + params.pop("rest_route").strip("/")
        else:
            return self._page()
        route = route.rstrip("/") or "/"
        site.requests.append((route, params))
        if site.fail(route, params):
            return self._json({"code": "internal_server_error"}, 500)
        if route == "/":
            return self._index()
        if route == "/wp/v2/posts":
            time.sleep(site.delay)
            return self._posts(params)
        if route in ("/wp/v2/categories", "/wp/v2/tags"):
            return self._terms(route.rsplit("/", 1)[1], params)
        if route.startswith("/wp/v2/media/"):
            return self._media(int(route.rsplit("/", 1)[1]))
        return self._json({"code": "rest_no_route", "data": {"status": 404}}, 404)

    def _page(self) -> None:
        body = b"<!doctype html><title>Diskominfo Kukar</title><p>Berita daerah.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        if self.site.rest_style != "none":
            self.send_header("Link", f'<{self.site.root}>; rel="https://api.w.org/"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _index(self) -> None:
        self._json(
            {
                "name": "Diskominfo Kutai Kartanegara (uji)",
                "description": "Situs uji",
                "url": self.site.base,
                "home": self.site.base,
                "gmt_offset": "8",
                "timezone_string": "Asia/Makassar",
                "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"],
                "authentication": [],
                "routes": {},
            }
        )

    def _posts(self, params: dict[str, str]) -> None:
        site = self.site
        posts = [copy.deepcopy(post) for post in site.posts]
        if "modified_after" in params:
            posts = [p for p in posts if p["modified"] > params["modified_after"]]
        key = {"modified": "modified", "date": "date", "id": "id"}[params.get("orderby", "date")]
        posts.sort(key=lambda p: p[key], reverse=params.get("order", "desc") == "desc")
        per_page = int(params.get("per_page", 10))
        page = int(params.get("page", 1))
        total = len(posts)
        pages = math.ceil(total / per_page)
        if page > max(pages, 1):
            self._json({"code": "rest_post_invalid_page_number", "data": {"status": 400}}, 400)
            return
        shown = posts[(page - 1) * per_page : page * per_page]
        if "_embed" in params and site.embed:
            for post in shown:
                post["_embedded"] = self._embedded(post)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            following = {**params, "page": str(page + 1)}
            headers["Link"] = (
                f'<{site.base}{self.path.split("?")[0]}?{urlencode(following)}>; rel="next"'
            )
        self._json(_filled(shown, site.base), 200, headers)

    def _embedded(self, post: dict[str, Any]) -> dict[str, Any]:
        site = self.site
        embedded: dict[str, Any] = {
            "author": [user for user in site.users if user["id"] == post["author"]],
            "wp:term": [
                [t for t in site.terms["categories"] if t["id"] in post["categories"]],
                [t for t in site.terms["tags"] if t["id"] in post["tags"]],
            ],
        }
        # As on many sites, some featured images are missing from the embed: fetched apart.
        media = [m for m in site.media if m["id"] == post["featured_media"]]
        if media and post["id"] % 2:
            embedded["wp:featuredmedia"] = media
        return embedded

    def _terms(self, kind: str, params: dict[str, str]) -> None:
        wanted = {int(i) for i in params.get("include", "").split(",") if i}
        terms = [t for t in self.site.terms[kind] if not wanted or t["id"] in wanted]
        self._json(_filled(terms, self.site.base), 200, {"X-WP-Total": str(len(terms))})

    def _media(self, media_id: int) -> None:
        found = [m for m in self.site.media if m["id"] == media_id]
        if not found:
            return self._json({"code": "rest_post_invalid_id", "data": {"status": 404}}, 404)
        return self._json(_filled(found[0], self.site.base))

    def _json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Link", f'<{self.site.root}>; rel="https://api.w.org/"')
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a killed import) is not the site's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(site: Site) -> Iterator[Site]:
    """Serve ``site`` on a free local port until the block ends."""
    handler = type("SiteHandler", (Handler,), {"site": site})
    server = QuietServer(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
