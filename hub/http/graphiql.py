"""GraphiQL, served offline: the page, its script and the pinned assets under ``/graphiql/``.

The assets are the npm packages' own browser builds (``hub/static/graphiql``, fetched by
``make graphiql-assets`` at the versions pinned in the Makefile, each with its licence); the
page and its start-up script are Hub's (``hub/static/graphiql.html``, ``graphiql.js``). The
page's content-security policy allows nothing but this origin, so the IDE works on a network
without internet and shows at once if anything tried to reach out.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

STATIC = files("hub").joinpath("static")
ASSETS = STATIC.joinpath("graphiql")
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}
# Same origin only; inline styles (React sets style attributes) and data: images (icons in CSS).
POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:"
)
ASSET_CACHE = "public, max-age=86400"  # pinned files: a day, revalidated on upgrade


def page() -> HTMLResponse:
    html = read("graphiql.html", in_assets=False).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": POLICY})


@cache
def read(name: str, *, in_assets: bool) -> bytes:
    return (ASSETS if in_assets else STATIC).joinpath(name).read_bytes()


async def asset(request: Request) -> Response:
    """``/graphiql/{name}``: a pinned asset, or Hub's start-up script (``hub.js``)."""
    name = request.path_params["name"]
    own = name == "hub.js"
    source = STATIC.joinpath("graphiql.js") if own else ASSETS.joinpath(name)
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or suffix not in MEDIA_TYPES or not source.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        read(source.name, in_assets=not own),
        media_type=MEDIA_TYPES[suffix],
        headers={"Cache-Control": ASSET_CACHE},
    )
