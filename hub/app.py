"""``create_app(settings)``: the ASGI application.

Routes: ``/graphql`` (HTTP and WebSocket; GraphiQL in development), ``/health/live``,
``/health/ready``. The engine is built in the lifespan from ``settings.database_url``,
which must be set (the CLI resolves it, starting the embedded server when needed).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from hub.auth import ANONYMOUS
from hub.context import Context
from hub.db.session import SessionFactory, build_engine, build_session_factory
from hub.errors import Unauthenticated
from hub.resolvers.auth import authenticate
from hub.schema import build_schema
from hub.settings import Settings

logger = logging.getLogger("hub")


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with the hub's request context.

    HTTP requests are authenticated from the ``Authorization`` header before anything runs;
    bad, expired or revoked credentials get a 401 with a GraphQL-shaped error, never data.
    """

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            **kwargs,
        )
        self.settings = settings
        self.sessions: SessionFactory | None = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if self.sessions is None:
            raise RuntimeError("the application has not started (lifespan not run)")
        viewer = ANONYMOUS
        if isinstance(request, Request):
            viewer = await authenticate(
                self.sessions, self.settings, request.headers.get("authorization")
            )
        return Context(
            settings=self.settings,
            sessions=self.sessions,
            request=request,
            response=response if isinstance(response, Response) else None,
            viewer=viewer,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Unauthenticated as error:
            if scope["type"] != "http":
                raise
            response = JSONResponse(
                {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            await response(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        raise ValueError("settings.database_url must be resolved before create_app")
    database_url = settings.database_url
    graphql = HubGraphQL(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = build_engine(database_url, settings)
        graphql.sessions = build_session_factory(engine)
        app.state.engine = engine
        try:
            yield
        finally:
            await engine.dispose()

    async def live(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        try:
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            logger.warning("readiness check failed: %s", error)
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health/live", live),
        Route("/health/ready", ready),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def create_app_from_environment() -> Starlette:
    """Factory for uvicorn workers: settings from ``HUB_*`` variables (set by ``hub serve``)."""
    return create_app(Settings())
