"""``create_app(settings)``: the ASGI application.

Routes: ``/graphql`` (HTTP; WebSocket subscriptions through the live service; GraphiQL in
development), ``/live`` (a small live page), ``/health/live``, ``/health/ready``,
``/health/realtime``, ``/metrics`` (Prometheus); every response carries ``X-Request-ID``.
The engine and the live service are built in the lifespan from
``settings.database_url``, which must be set (the CLI resolves it, starting the embedded
server when needed).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial
from importlib.resources import files
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from sqlalchemy import event, text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from hub.auth import ANONYMOUS
from hub.context import Context
from hub.db.repositories import outbox
from hub.db.session import SessionFactory, build_engine, build_session_factory
from hub.errors import Unauthenticated
from hub.metrics import LIVE, MeasuredGateway, Metrics, StatementCounter, metrics_endpoint
from hub.realtime.protocol import LiveEndpoint
from hub.realtime.service import LiveService
from hub.request_id import RequestIdMiddleware
from hub.resolvers.auth import authenticate
from hub.schema import build_schema
from hub.schema.live import LiveGateway
from hub.schema.subscription import LIVE_FIELDS
from hub.settings import Settings

logger = logging.getLogger("hub")


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with the hub's request context, for HTTP. Subscriptions are
    served over WebSocket by the live service.

    HTTP requests are authenticated from the ``Authorization`` header before anything runs;
    bad, expired or revoked credentials get a 401 with a GraphQL-shaped error, never data.
    """

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            subscription_protocols=(),
            **kwargs,
        )
        self.settings = settings
        self.sessions: SessionFactory | None = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if self.sessions is None:
            raise RuntimeError("the application has not started (lifespan not run)")
        viewer, authorization = ANONYMOUS, None
        if isinstance(request, Request):
            authorization = request.headers.get("authorization")
            viewer = await authenticate(self.sessions, self.settings, authorization)
        return Context(
            settings=self.settings,
            sessions=self.sessions,
            request=request,
            response=response if isinstance(response, Response) else None,
            viewer=viewer,
            authorization=authorization,
        )

    def encode_json(self, data: object) -> bytes:
        """HTTP response bodies (WebSocket messages are written by ``hub/realtime``)."""
        return orjson.dumps(data)

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

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        request_data = kwargs.get("request_data")
        if isinstance(request_data, GraphQLRequestData) and is_subscription(request_data):
            raise HTTPException(
                400, "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)"
            )
        return await super().execute_operation(*args, **kwargs)


def is_subscription(request: GraphQLRequestData) -> bool:
    if not request.query or "subscription" not in request.query:
        return False
    try:
        operation = get_operation_ast(parse(request.query), request.operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


def create_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        raise ValueError("settings.database_url must be resolved before create_app")
    database_url = settings.database_url
    graphql = HubGraphQL(settings)
    statements = StatementCounter()
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = build_engine(database_url, settings)
        # The outbox stream reads through its own small pool, apart from requests.
        stream_engine = build_engine(database_url, settings, pool_size=2, name="hub-stream")
        for counted in (engine, stream_engine):
            event.listen(counted.sync_engine, "before_cursor_execute", statements)
        graphql.sessions = build_session_factory(engine)
        live_sessions = build_session_factory(engine.execution_options(**{LIVE: True}))
        assert isinstance(graphql.schema, strawberry.Schema)
        gateway = MeasuredGateway(
            LiveGateway(
                graphql.schema, settings=settings, sessions=live_sessions, fields=LIVE_FIELDS
            ),
            metrics,
        )
        live_service = LiveService(
            settings=settings,
            database_url=database_url,
            sessions=build_session_factory(stream_engine.execution_options(**{LIVE: True})),
            gateway=gateway,
        )
        app.state.engine = engine
        app.state.live = live_service
        app.state.metrics = metrics
        app.state.outbox_backlog = partial(outbox_backlog, graphql.sessions, live_service)
        await live_service.start()
        gateway.start_at(live_service.broker.position)
        try:
            yield
        finally:
            await live_service.stop()
            await stream_engine.dispose()
            await engine.dispose()

    app_holder: list[Starlette] = []

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

    def realtime_stats() -> dict[str, Any]:
        if not app_holder or not hasattr(app_holder[0].state, "live"):
            raise RuntimeError("the application has not started (lifespan not run)")
        return {
            **app_holder[0].state.live.stats(),
            "sqlStatements": statements.count,
            "liveSqlStatements": statements.live,
        }

    metrics.watch_live(realtime_stats)

    async def realtime(_: Request) -> Response:
        return JSONResponse(realtime_stats())

    live_page_html = files("hub").joinpath("static/live.html").read_text(encoding="utf-8")

    async def live_page(_: Request) -> Response:
        return HTMLResponse(live_page_html)

    live_script = files("hub").joinpath("static/live.js").read_text(encoding="utf-8")

    async def live_page_script(_: Request) -> Response:
        return Response(live_script, media_type="text/javascript")

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", LiveEndpoint(lambda: app_holder[0].state.live)),
        Route("/live", live_page),
        Route("/live.js", live_page_script),
        Route("/health/live", live),
        Route("/health/ready", ready),
        Route("/health/realtime", realtime),
        Route("/metrics", metrics_endpoint),
    ]
    application = Starlette(
        routes=routes, lifespan=lifespan, middleware=[Middleware(RequestIdMiddleware)]
    )
    app_holder.append(application)
    return application


async def outbox_backlog(sessions: SessionFactory, live: LiveService) -> tuple[int, float]:
    """How far this process's broker is behind the outbox (rows, seconds)."""
    async with sessions() as session:
        return await outbox.backlog(session, after=live.broker.position)


def create_app_from_environment() -> Starlette:
    """Factory for uvicorn workers: settings from ``HUB_*`` variables (set by ``hub serve``)."""
    return create_app(Settings())
