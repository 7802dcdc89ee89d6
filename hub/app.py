"""``create_app(settings)``: the ASGI application.

Routes: ``/graphql`` (HTTP; subscriptions through the live service over WebSocket and over
Server-Sent Events; GraphiQL in development), ``/live`` (a small live page),
``/health/live``, ``/health/ready``, ``/health/realtime`` (also on ``HUB_HEALTH_PORT``, see
:mod:`hub.health`), ``/metrics`` (Prometheus); every response carries ``X-Request-ID``.
The engine and the live service are built in the lifespan from ``settings.database_url``,
which must be set (the CLI resolves it, starting the embedded server when needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial
from importlib.resources import files
from typing import Any

from sqlalchemy import event, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from hub import health, tracing
from hub.db.repositories import outbox
from hub.db.session import SessionFactory, build_engine, build_session_factory
from hub.http import cors, graphiql
from hub.http.compression import CompressionMiddleware
from hub.http.endpoint import GraphQLEndpoint
from hub.metrics import LIVE, MeasuredGateway, Metrics, StatementCounter, metrics_endpoint
from hub.persisted import PersistedDocuments
from hub.realtime.history import history_for
from hub.realtime.protocol import LiveEndpoint
from hub.realtime.service import LiveService
from hub.realtime.socket_limits import SocketLimits
from hub.realtime.sse import EventStreams
from hub.request_id import RequestIdMiddleware
from hub.schema import build_schema
from hub.schema.live import LiveGateway
from hub.schema.subscription import LIVE_FIELDS
from hub.settings import Settings

logger = logging.getLogger("hub")


def create_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        raise ValueError("settings.database_url must be resolved before create_app")
    database_url = settings.database_url
    schema = build_schema()
    metrics = Metrics()
    documents = PersistedDocuments(settings)
    graphql = GraphQLEndpoint(schema, settings, metrics, documents)
    origins = settings.origin_policy
    statements = StatementCounter()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = build_engine(
            database_url, settings, statement_timeout=settings.db_statement_timeout
        )
        # The outbox stream reads through its own small pool, apart from requests.
        stream_engine = build_engine(database_url, settings, pool_size=2, name="hub-stream")
        for counted in (engine, stream_engine):
            event.listen(counted.sync_engine, "before_cursor_execute", statements)
        graphql.sessions = documents.sessions = build_session_factory(engine)
        # Quota exchanges and clean-ups on a connection of their own, apart from requests
        # (and from their statement counts: they are not per request).
        quota_engine = build_engine(database_url, settings, pool_size=1, name="hub-quota")
        await graphql.quotas.start(quota_engine)
        live_sessions = build_session_factory(engine.execution_options(**{LIVE: True}))
        history = history_for(settings)
        gateway = MeasuredGateway(
            LiveGateway(
                schema,
                settings=settings,
                sessions=live_sessions,
                fields=LIVE_FIELDS,
                history=history,
                documents=documents,
            ),
            metrics,
        )
        live_service = LiveService(
            settings=settings,
            database_url=database_url,
            sessions=build_session_factory(stream_engine.execution_options(**{LIVE: True})),
            gateway=gateway,
            history=history,
        )
        app.state.engine = engine
        app.state.live = live_service
        app.state.metrics = metrics
        app.state.outbox_backlog = partial(outbox_backlog, graphql.sessions, live_service)
        live_service.broker.followers.append(graphql.cache)  # dropped by what changes
        await live_service.start()
        gateway.start_at(live_service.broker.position)
        health_server = None
        if settings.health_port is not None:
            health_server = health.HealthServer(
                host=settings.host,
                port=settings.health_port,
                database_url=database_url,
                stats=realtime_stats,
            )
            await asyncio.to_thread(health_server.start)
            app.state.health_port = health_server.port
        try:
            yield
        finally:
            if health_server is not None:
                await asyncio.to_thread(health_server.stop)
            await event_streams.close_all()
            await live_service.stop()
            await graphql.quotas.stop()
            await quota_engine.dispose()
            await stream_engine.dispose()
            await engine.dispose()

    app_holder: list[Starlette] = []
    # One budget of live connections, WebSockets and event streams alike.
    live_limits = SocketLimits(LiveEndpoint(lambda: app_holder[0].state.live, origins), settings)
    event_streams = EventStreams(lambda: app_holder[0].state.live, graphql, live_limits)

    async def live(_: Request) -> Response:
        return answer(health.live_answer())

    async def ready(request: Request) -> Response:
        async def select_one() -> None:
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

        return answer(await health.ready_answer(select_one))

    def realtime_stats() -> dict[str, Any]:
        if not app_holder or not hasattr(app_holder[0].state, "live"):
            raise RuntimeError("the application has not started (lifespan not run)")
        return {
            **app_holder[0].state.live.stats(),
            "eventStreams": len(event_streams.streams),
            "sqlStatements": statements.count,
            "liveSqlStatements": statements.live,
        }

    metrics.watch_live(realtime_stats)
    metrics.watch_response_cache(lambda: graphql.cache.stats)

    async def realtime(_: Request) -> Response:
        """The live service's figures; 503 while its database connection is down (the
        listener reconnects by itself, and the answer turns back to 200)."""
        return answer(health.realtime_answer(realtime_stats()))

    live_page_html = files("hub").joinpath("static/live.html").read_text(encoding="utf-8")

    async def live_page(_: Request) -> Response:
        return HTMLResponse(live_page_html)

    live_script = files("hub").joinpath("static/live.js").read_text(encoding="utf-8")

    async def live_page_script(_: Request) -> Response:
        return Response(live_script, media_type="text/javascript")

    routes = [
        # every method: event streams first, then the endpoint (which answers 405 itself)
        Route("/graphql", event_streams),
        WebSocketRoute("/graphql", live_limits),
        Route("/live", live_page),
        Route("/live.js", live_page_script),
        Route("/health/live", live),
        Route("/health/ready", ready),
        Route("/health/realtime", realtime),
        Route("/metrics", metrics_endpoint),
    ]
    if settings.graphiql_enabled:
        routes.append(Route("/graphiql/{name}", graphiql.asset))
    application = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestIdMiddleware),
            *cors.middleware(
                origins, credentials=settings.cors_allow_credentials, max_age=settings.cors_max_age
            ),
            *tracing.middleware(settings),
            Middleware(CompressionMiddleware, min_bytes=settings.http_compression_min_bytes),
        ],
    )
    app_holder.append(application)
    return application


def answer(found: health.Answer) -> Response:
    status, body = found
    return JSONResponse(body, status_code=status)


async def outbox_backlog(sessions: SessionFactory, live: LiveService) -> tuple[int, float]:
    """How far this process's broker is behind the outbox (rows, seconds)."""
    async with sessions() as session:
        return await outbox.backlog(session, after=live.broker.position)


def create_app_from_environment() -> Starlette:
    """Factory for uvicorn workers: settings from ``HUB_*`` variables (set by ``hub serve``)."""
    return create_app(Settings())
