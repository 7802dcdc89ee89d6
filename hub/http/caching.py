"""HTTP caching of ``/graphql`` answers: what browsers, CDNs and proxies may keep, and
conditional GETs.

An anonymous GET query answered without errors is shareable: it carries a weak ``ETag`` (a
digest of its media type and body), ``Cache-Control: public, max-age=…,
stale-while-revalidate=…`` (``HUB_HTTP_CACHE_MAX_AGE``, ``HUB_HTTP_CACHE_STALE_WHILE_REVALIDATE``),
and a request whose ``If-None-Match`` names that tag is answered 304 without a body. An answer
to a request with credentials is ``private, no-store``: it is the viewer's alone. Everything
else — POST (every mutation), answers with errors — is ``no-store``. Every answer says
``Vary: Accept, Authorization``: the media type and the viewer change the answer (compression
adds ``Accept-Encoding``, CORS ``Origin``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

VARY = "Accept, Authorization"
PRIVATE = "private, no-store"
NO_STORE = "no-store"


def etag(media_type: str, body: bytes) -> str:
    digest = hashlib.sha256(media_type.encode() + b"\n" + body).digest()
    return 'W/"' + base64.urlsafe_b64encode(digest[:18]).decode() + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """``If-None-Match`` names ``tag`` (weak comparison: ``W/`` ignored) or is ``*``."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    return any(
        candidate == "*" or candidate.removeprefix("W/") == wanted
        for candidate in (part.strip() for part in if_none_match.split(","))
    )


class CachePolicy:
    def __init__(self, *, max_age: int, stale_while_revalidate: int) -> None:
        self.public = f"public, max-age={max_age}, stale-while-revalidate={stale_while_revalidate}"

    def response(
        self,
        request: Request,
        body: bytes,
        *,
        status: int,
        media_type: str,
        headers: Mapping[str, str],
        shareable: bool,
    ) -> Response:
        """The answer with its caching headers, or 304 when the client's copy is current.
        ``shareable``: an anonymous GET query answered without errors."""
        fields = {**headers, "Vary": VARY}
        if "authorization" in request.headers:
            fields["Cache-Control"] = PRIVATE
        elif shareable and request.method == "GET" and status == 200:
            fields["Cache-Control"] = self.public
            fields["ETag"] = tag = etag(media_type, body)
            if matches(request.headers.get("if-none-match"), tag):
                return Response(status_code=304, headers=fields)
        else:
            fields["Cache-Control"] = NO_STORE
        return Response(body, status_code=status, media_type=media_type, headers=fields)
