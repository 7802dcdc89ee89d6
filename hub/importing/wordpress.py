"""A WordPress site as an import source, through its REST API (``wp/v2``).

**Discovery.** A WordPress site announces its REST root on its pages in a
``Link: <…>; rel="https://api.w.org/"`` header. ``/wp-json/`` is only the default (sites move
it, and without pretty permalinks it is ``/?rest_route=/``), so the root is read from there; a
URL that is itself a REST root works too.

**Paging.** Posts come in the order of their last modification (``orderby=modified``,
ascending), ``per_page`` at a time; the pagination headers (``X-WP-Total``,
``X-WP-TotalPages``) say how many remain and whether another page follows. Every request
starts after the last post handled (``modified_after``), so a post edited during a run cannot
shift the pages under it. The position saved after each post — its ``modified`` time and the
ids handled at that second — is where the next run starts: an interrupted run resumes there,
and a finished one makes the next run incremental.

**Mapping.** Title and excerpt become text (tags removed, entities decoded), the content
stays HTML (the import sanitises it), the permalink (or an SEO plugin's canonical link) is
the canonical URL, ``date_gmt`` the original publication time, the featured image keeps its
URL, the author's name is the byline when the site shows it. Categories and tags become Hub
tags, and a ``TermMapping`` may also turn terms into a category, election stages or regions.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import httpx
import nh3

from hub.importing.records import ImportRecord
from hub.importing.source import Item, Position
from hub.resolvers.article_write import MAX_SUMMARY
from hub.vocabulary import ArticleCategory

API_LINK = "https://api.w.org/"
ATTEMPTS = 3  # per request, for network errors, 429 and 5xx
BACKOFF = 1.0  # seconds, doubled per attempt
TIMEOUT = httpx.Timeout(30.0)
USER_AGENT = "hub-import"
DEFAULT_IGNORED = frozenset({"uncategorized", "tak-berkategori"})  # WordPress's default category
SECOND = timedelta(seconds=1)
ELLIPSIS = re.compile(r"\s*(\[(…|\.\.\.)\]|…)\s*$")


class SourceError(Exception):
    """The site cannot be read (after retries); the message is one line for the operator."""


@dataclass(frozen=True)
class TermMapping:
    """What some categories and tags mean in Hub, by term slug (a JSON file, see README)."""

    category: Mapping[str, ArticleCategory] = field(default_factory=dict)
    stages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: frozenset[str] = DEFAULT_IGNORED  # terms not made into tags

    @classmethod
    def from_file(cls, path: Path) -> TermMapping:
        """Read and check a mapping file; ``ValueError`` says what is wrong."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"cannot read the mapping {path}: {error}") from None
        if not isinstance(data, dict):
            raise ValueError("the mapping must be a JSON object")
        unknown = set(data) - {"category", "stages", "regions", "ignore"}
        if unknown:
            raise ValueError(f"unknown keys in the mapping: {', '.join(sorted(unknown))}")
        categories = {}
        for term, name in dict(data.get("category", {})).items():
            found = next((c for c in ArticleCategory if name in (c.name, c.value)), None)
            if found is None:
                allowed = ", ".join(c.name for c in ArticleCategory)
                raise ValueError(f"category of `{term}` must be one of {allowed}")
            categories[term] = found
        return cls(
            category=categories,
            stages=_code_lists(data, "stages"),
            regions=_code_lists(data, "regions"),
            ignore=frozenset(data.get("ignore", DEFAULT_IGNORED)),
        )


def _code_lists(data: dict[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    entries = data.get(key, {})
    if not isinstance(entries, dict) or not all(
        isinstance(codes, list) and all(isinstance(code, str) for code in codes)
        for codes in entries.values()
    ):
        raise ValueError(f"`{key}` maps term slugs to lists of codes")
    return {term: tuple(codes) for term, codes in entries.items()}


@dataclass(frozen=True)
class Term:
    id: int
    taxonomy: str  # `category` or `post_tag`
    slug: str
    name: str


def endpoint(root: str, route: str) -> tuple[str, dict[str, str]]:
    """URL and query parameters of ``route`` (e.g. ``wp/v2/posts``) under a REST root, which
    may be a path (``https://site/api/``) or the plain-permalink form (``/?rest_route=/``)."""
    parts = urlsplit(root)
    query = dict(parse_qsl(parts.query))
    if "rest_route" in query:
        query["rest_route"] = "/" + route
        return urlunsplit(parts._replace(query="")), query
    return urljoin(root if root.endswith("/") else root + "/", route), query


def text_of(rendered: str | None) -> str:
    """The text of rendered HTML: tags removed, entities decoded, whitespace collapsed."""
    plain = html.unescape(nh3.clean(rendered or "", tags=set()))
    return " ".join(plain.split())


def summary_of(rendered: str | None) -> str | None:
    """An excerpt as a summary: text, without WordPress's trailing ``[…]``, at most
    ``MAX_SUMMARY`` characters (cut at a word)."""
    summary = ELLIPSIS.sub("", text_of(rendered))
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1].rsplit(" ", 1)[0] + "…"
    return summary or None


class WordPressSource:
    """Posts of one site (see the module). Use ``open_site``: it discovers the REST root."""

    def __init__(
        self, client: httpx.AsyncClient, root: str, info: dict[str, Any], *,
        mapping: TermMapping, per_page: int, since: datetime | None,
    ) -> None:  # fmt: skip
        self.client = client
        self.root = root
        self.name = str(info.get("name") or root)
        self.offset = _utc_offset(info.get("gmt_offset"))
        self.mapping = mapping
        self.per_page = per_page
        self.since = since  # an explicit `modified_after` that replaces the saved position
        self.title = f"WordPress {root}"
        self.resumed_from: str | None = None
        self._total: int | None = None
        self._terms: dict[tuple[str, int], Term] = {}
        self._media: dict[int, str | None] = {}

    @property
    def key(self) -> str:
        return f"wordpress {self.root}"

    @property
    def total(self) -> int | None:
        return self._total

    async def items(self, start: Position | None) -> AsyncIterator[Item]:
        cursor = _Cursor.of(start)
        if self.since is not None:
            cursor = _Cursor(self.since.replace(tzinfo=None).isoformat(timespec="seconds"), [])
        if cursor.modified is not None:
            self.resumed_from = f"after posts modified at {cursor.modified} (site time)"
        query, page, seen = cursor.copy(), 1, 0
        while True:
            response = await self._get("wp/v2/posts", self._post_params(query, page))
            if response is None:  # past the last page
                return
            posts = _json_list(response)
            remaining = _int_header(response, "X-WP-Total")
            if remaining is not None:
                self._total = seen + max(remaining - len(query.ids), 0)
            fresh = [post for post in posts if not cursor.handled(post)]
            await self._load_terms(fresh)
            for post in fresh:
                cursor.advance(post)
                seen += 1
                yield await self._item(post, cursor.position())
            pages = _int_header(response, "X-WP-TotalPages") or page
            if not posts or page >= pages:
                return
            if fresh:  # start the next request after the last post handled
                query, page = cursor.copy(), 1
            else:  # a page of posts handled before (many edited in one second)
                page += 1

    def _post_params(self, query: _Cursor, page: int) -> dict[str, str]:
        params = {
            "per_page": str(self.per_page),
            "page": str(page),
            "orderby": "modified",
            "order": "asc",
            "_embed": "1",
        }
        with contextlib.suppress(TypeError, ValueError):  # no readable cursor: from the start
            # `modified_after` is exclusive and has second precision: from the cursor's second.
            before = datetime.fromisoformat(str(query.modified)) - SECOND
            params["modified_after"] = before.isoformat(timespec="seconds")
        return params

    async def _item(self, post: dict[str, Any], position: Position) -> Item:
        label = f"post {post.get('id')}"
        try:
            return await self._mapped(post, label, position)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return Item(
                label, position, problem=f"unreadable post ({type(error).__name__}: {error})"
            )

    async def _mapped(self, post: dict[str, Any], label: str, position: Position) -> Item:
        content = post.get("content") or {}
        if content.get("protected"):
            return Item(label, position, problem="password-protected on the site")
        url = (post.get("yoast_head_json") or {}).get("canonical") or post.get("link")
        published = self._published(post)
        if not url or published is None:
            return Item(label, position, problem="the post has no link or no date")
        terms = [
            term for key in self._term_keys(post) if (term := self._terms.get(key)) is not None
        ]
        slugs = [term.slug for term in terms]
        category = next(
            (self.mapping.category[s] for s in slugs if s in self.mapping.category),
            ArticleCategory.NEWS,
        )
        record = ImportRecord(
            canonical_url=url,
            published_at=published,
            title=text_of((post.get("title") or {}).get("rendered")),
            body=content.get("rendered") or "",
            label=label,
            summary=summary_of((post.get("excerpt") or {}).get("rendered")),
            byline=_author(post),
            category=category,
            region_codes=_merged(self.mapping.regions, slugs),
            tag_labels=tuple(
                dict.fromkeys(
                    html.unescape(term.name)
                    for term in terms
                    if term.slug not in self.mapping.ignore
                )
            ),
            stage_codes=_merged(self.mapping.stages, slugs),
            featured_image_url=await self._featured_image(post),
            origin=f"WordPress {self.root} post {post.get('id')}",
        )
        return Item(label, position, record=record)

    def _published(self, post: dict[str, Any]) -> datetime | None:
        if post.get("date_gmt"):
            return datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC)
        if post.get("date"):  # older sites: the site's local time
            return datetime.fromisoformat(post["date"]).replace(tzinfo=self.offset)
        return None

    @staticmethod
    def _term_keys(post: dict[str, Any]) -> list[tuple[str, int]]:
        return [("category", int(i)) for i in post.get("categories") or []] + [
            ("post_tag", int(i)) for i in post.get("tags") or []
        ]

    async def _load_terms(self, posts: list[dict[str, Any]]) -> None:
        """Terms of the posts: embedded in the response, else fetched by id in one request
        per taxonomy (sites may leave `_embed` out)."""
        for post in posts:
            for group in (post.get("_embedded") or {}).get("wp:term") or []:
                for term in group or []:
                    self._remember(term)
        missing: dict[str, set[int]] = {}
        for post in posts:
            for taxonomy, term_id in self._term_keys(post):
                if (taxonomy, term_id) not in self._terms:
                    missing.setdefault(taxonomy, set()).add(term_id)
        routes = {"category": "wp/v2/categories", "post_tag": "wp/v2/tags"}
        for taxonomy, ids in missing.items():
            for chunk in _chunks(sorted(ids), 100):
                params = {"include": ",".join(map(str, chunk)), "per_page": "100"}
                response = await self._get(routes[taxonomy], params)
                for term in _json_list(response) if response is not None else []:
                    self._remember({**term, "taxonomy": term.get("taxonomy", taxonomy)})

    def _remember(self, term: dict[str, Any]) -> None:
        if isinstance(term, dict) and {"id", "slug", "name", "taxonomy"} <= set(term):
            value = Term(int(term["id"]), term["taxonomy"], term["slug"], term["name"])
            self._terms[(value.taxonomy, value.id)] = value

    async def _featured_image(self, post: dict[str, Any]) -> str | None:
        embedded = (post.get("_embedded") or {}).get("wp:featuredmedia") or []
        if embedded and isinstance(embedded[0], dict) and embedded[0].get("source_url"):
            return str(embedded[0]["source_url"])
        media_id = int(post.get("featured_media") or 0)
        if not media_id:
            return None
        if media_id not in self._media:
            response = await self._get(f"wp/v2/media/{media_id}", {}, missing_ok=True)
            body = response.json() if response is not None else {}
            self._media[media_id] = body.get("source_url") if isinstance(body, dict) else None
        return self._media[media_id]

    async def _get(
        self, route: str, params: dict[str, str], *, missing_ok: bool = False
    ) -> httpx.Response | None:
        """GET a route, retried on network errors, 429 and 5xx. None: past the last page
        (WordPress answers 400 ``rest_post_invalid_page_number``) or, when ``missing_ok``,
        absent or private (401, 403, 404)."""
        url, query = endpoint(self.root, route)
        return await fetch(self.client, url, {**query, **params}, missing_ok=missing_ok)


async def fetch(
    client: httpx.AsyncClient, url: str, params: Mapping[str, str], *, missing_ok: bool = False
) -> httpx.Response | None:
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
        try:
            response = await client.get(url, params=params)
        except httpx.HTTPError as error:
            problem = f"{type(error).__name__}: {error}"
            continue
        if response.status_code == 429 or response.status_code >= 500:
            problem = f"HTTP {response.status_code}"
            continue
        if response.status_code == 400 and _error_code(response) == "rest_post_invalid_page_number":
            return None
        if missing_ok and response.status_code in (401, 403, 404):
            return None
        if response.status_code >= 400:
            raise SourceError(f"{response.request.url} answered HTTP {response.status_code}")
        return response
    raise SourceError(f"{url} failed {ATTEMPTS} times (last: {problem})")


@contextlib.asynccontextmanager
async def open_site(
    url: str, *, mapping: TermMapping, per_page: int = 50, since: datetime | None = None
) -> AsyncIterator[WordPressSource]:
    """The site at ``url`` (a page of it, or its REST root), its REST root discovered."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, */*;q=0.5"}
    async with httpx.AsyncClient(timeout=TIMEOUT, headers=headers, follow_redirects=True) as client:
        root, info = await discover(client, url)
        yield WordPressSource(client, root, info, mapping=mapping, per_page=per_page, since=since)


async def discover(client: httpx.AsyncClient, url: str) -> tuple[str, dict[str, Any]]:
    """The REST root announced by the page at ``url`` (or ``url`` itself when it is a REST
    root), and the root's index (site name, UTC offset)."""
    response = await fetch(client, url, {})
    assert response is not None
    link = response.links.get(API_LINK)
    root = urljoin(str(response.url), link["url"]) if link and link.get("url") else None
    info = _index(response) if root is None else None
    if root is None and info is not None:
        root = str(response.url)
    if root is None:
        raise SourceError(
            f'{url} does not announce a WordPress REST API (no Link header with rel="{API_LINK}")'
        )
    if info is None:
        index_url, query = endpoint(root, "")
        index = await fetch(client, index_url, query)
        info = _index(index) if index is not None else None
    if info is None:
        raise SourceError(f"{root} is not a WordPress REST API with posts (no wp/v2)")
    return root, info


def _index(response: httpx.Response) -> dict[str, Any] | None:
    """The REST index if the response is one with the ``wp/v2`` routes."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and "wp/v2" in (body.get("namespaces") or []):
        return body
    return None


@dataclass
class _Cursor:
    """The last post handled: its ``modified`` time (the site's clock, second precision) and
    the ids handled at that second."""

    modified: str | None = None
    ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, position: Position | None) -> _Cursor:
        if not position or not position.get("modified"):
            return cls()
        return cls(str(position["modified"]), [int(i) for i in position.get("ids", [])])

    def copy(self) -> _Cursor:
        return _Cursor(self.modified, list(self.ids))

    def handled(self, post: dict[str, Any]) -> bool:
        modified = str(post.get("modified") or "")
        if self.modified is None or modified > self.modified:
            return False
        return modified < self.modified or int(post.get("id", 0)) in self.ids

    def advance(self, post: dict[str, Any]) -> None:
        modified = str(post.get("modified") or "")
        if modified == self.modified:
            self.ids.append(int(post.get("id", 0)))
        else:
            self.modified, self.ids = modified, [int(post.get("id", 0))]

    def position(self) -> Position:
        return {"modified": self.modified, "ids": list(self.ids)}


def _json_list(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        raise SourceError(f"{response.request.url} did not answer JSON") from None
    if not isinstance(body, list):
        raise SourceError(f"{response.request.url} did not answer a list")
    return [entry for entry in body if isinstance(entry, dict)]


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value and value.strip().isdigit() else None


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _author(post: dict[str, Any]) -> str | None:
    authors = (post.get("_embedded") or {}).get("author") or []
    name = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
    return (text_of(name) or None) if isinstance(name, str) else None


def _merged(mapping: Mapping[str, tuple[str, ...]], slugs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for slug in slugs for code in mapping.get(slug, ())))


def _utc_offset(value: object) -> timezone:
    try:
        hours = float(str(value))
    except ValueError:
        hours = 0.0
    return timezone(timedelta(hours=hours))


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[index : index + size] for index in range(0, len(values), size)]
