"""CORS for ``/graphql``: browser apps on the origins of the :class:`~hub.origins.OriginPolicy`.

Starlette's ``CORSMiddleware`` does the protocol: a preflight (``OPTIONS`` with
``Access-Control-Request-Method``) from an allowed origin is answered 200 with the allowed
methods and headers and ``Access-Control-Max-Age`` (``HUB_CORS_MAX_AGE``: the browser asks
again only after that), one from another origin 400; actual requests from an allowed origin get
``Access-Control-Allow-Origin`` and the response headers scripts may read. With no origins
listed, nothing is added (same-origin pages need no CORS).
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from hub.origins import OriginPolicy

METHODS = ("GET", "POST")
# What GraphQL clients send besides the CORS-safelisted ones: credentials, the request's
# content type (application/json is not safelisted), request ids, Apollo Client's client
# awareness and CSRF-prevention headers, conditional GETs, and graphql-sse's resumption and
# single-connection token.
REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "x-request-id",
    "if-none-match",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "graphql-client-name",
    "graphql-client-version",
    "last-event-id",
    "x-graphql-event-stream-token",
)
# Response headers a script may read: the request id, the cache validator, the quota's state.
EXPOSED_HEADERS = ("X-Request-ID", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy")


def middleware(policy: OriginPolicy, *, credentials: bool, max_age: int) -> list[Middleware]:
    if not policy.origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=sorted(policy.origins),
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            allow_credentials=credentials,
            expose_headers=EXPOSED_HEADERS,
            max_age=max_age,
        )
    ]
