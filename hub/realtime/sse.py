"""GraphQL over Server-Sent Events on ``/graphql`` (the graphql-sse protocol), served by the
live service: the same gateway, broker, filters, authorization and ``after`` as WebSocket.

*Distinct connections*: a GET (query parameters) or POST (JSON) with ``Accept:
text/event-stream`` runs one operation and answers with an event stream: ``next`` events,
then ``complete``. Errors of the operation (a document that does not validate, an unknown
filter value, an expired cursor) come as a ``next`` event with ``errors``, then ``complete``,
as the protocol asks; a request that is not a GraphQL request is answered as over plain HTTP
(400, 413, 415), bad credentials with 401.

*Single connection*: ``PUT`` reserves a stream (201, a one-time token in the body); a GET
with the token (header ``X-GraphQL-Event-Stream-Token`` or parameter ``token``) opens it,
for one connection at a time (404 for an unknown or expired token, 409 when it is open
already); a POST with the token starts an operation named by ``extensions.operationId``
(202; its errors are a 400 with the GraphQL errors), whose events arrive on the stream as
``{"id", "payload"}``; ``DELETE ?operationId=`` completes one. A reservation not opened
within ``HUB_LIVE_CONNECTION_INIT_TIMEOUT`` seconds lapses; when its stream ends, it ends.

Every ``next`` event of a subscription has the change's cursor as its SSE ``id``. A request
with ``Last-Event-ID`` (what a browser's ``EventSource`` sends when it reconnects; other
clients send it from a headers function) resumes after that cursor, or after ``after`` when
that is later: nothing lost, nothing repeated.

*Multipart* (Apollo Client's HTTP subscriptions): a POST with ``Accept: multipart/mixed;
subscriptionSpec=1.0`` gets the results as ``multipart/mixed`` parts, ``{"payload":
<result>}`` each, ``{}`` parts as heartbeats, and the closing boundary when it completes
(it has no event ids: such clients resubscribe with ``after``).

A comment line (``:``; a ``{}`` part in multipart) every ``HUB_LIVE_KEEPALIVE_INTERVAL``
seconds keeps proxies from closing an idle stream. A client that reads slower than events
arrive (more than ``HUB_LIVE_QUEUE_SIZE`` queued) has its stream ended, and resumes with
``Last-Event-ID``.
Open streams count against the WebSocket limits (:mod:`hub.realtime.socket_limits`): one
budget of live connections per address and per process. When the server shuts down
(:data:`hub.http.protocol.SHUTDOWN`, or :meth:`EventStreams.close_all`), each stream ends
after what is queued, without ``complete``, so clients reconnect and resume.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from hub.addresses import client_address
from hub.http.operation import Operation, read_operation
from hub.http.protocol import SHUTDOWN
from hub.http.responses import HttpError, json_response, retry_later
from hub.realtime.cursor import ORIGIN, Position, encode
from hub.realtime.frames import Rendered
from hub.realtime.gateway import LiveStart, Rejected, SingleResult
from hub.realtime.socket_limits import Full, SocketLimits
from hub.realtime.subscriber import Subscriber

if TYPE_CHECKING:
    from hub.realtime.service import LiveService

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

EVENT_STREAM = b"text/event-stream"
TOKEN_HEADER = "x-graphql-event-stream-token"  # noqa: S105 (a header name)
TOKEN_PARAMETER = "token"  # noqa: S105 (a parameter name)
UNAVAILABLE = "SERVICE_UNAVAILABLE"  # the gateway could not check credentials: no database
RETRY_AFTER_SECONDS = 30
SHUTDOWN_FLUSH_SECONDS = 2.0
PART = b"\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"


def accepts(scope: MutableMapping[str, Any], *parts: bytes) -> bool:
    """Whether the ``Accept`` header names all of ``parts`` (lower case)."""
    for name, value in scope.get("headers", []):
        if name == b"accept" and all(part in value.lower() for part in parts):
            return True
    return False


class EventFraming:
    """Server-Sent Events: ``next`` events (with the change's cursor as ``id`` when the
    result is a change) and ``complete``; in single-connection mode with operation ids."""

    headers: tuple[tuple[bytes, bytes], ...] = (
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),  # proxies that buffer responses (nginx) pass it through
    )
    keep_alive = b":\n\n"

    def result(self, rendered: bytes, position: Position, operation_id: str | None) -> bytes:
        head = b"event: next\n"
        if position != ORIGIN:
            head += b"id: " + encode(position).encode() + b"\n"
        if operation_id is None:
            return head + b"data: " + rendered + b"\n\n"
        quoted = _quoted(operation_id)
        return head + b'data: {"id":' + quoted + b',"payload":' + rendered + b"}\n\n"

    def complete(self, operation_id: str | None) -> bytes:
        if operation_id is None:
            return b"event: complete\ndata:\n\n"
        return b'event: complete\ndata: {"id":' + _quoted(operation_id) + b"}\n\n"


class MultipartFraming(EventFraming):
    """Apollo's multipart HTTP subscriptions: one ``{"payload": <result>}`` part per result,
    ``{}`` parts as heartbeats, the closing boundary at the end."""

    headers = (
        (b"content-type", b'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"'),
        *EventFraming.headers[1:],
    )
    keep_alive = PART + b"{}"

    def result(self, rendered: bytes, position: Position, operation_id: str | None) -> bytes:
        return PART + b'{"payload":' + rendered + b"}"

    def complete(self, operation_id: str | None) -> bytes:
        return b"\r\n--graphql--\r\n"


EVENTS = EventFraming()


def _quoted(text: str) -> bytes:
    return json.dumps(text).encode()


class EventStream:
    """One open event stream: a :class:`~hub.realtime.subscriber.Sink` for its subscribers
    (one in distinct mode; any number, by operation id, in single-connection mode)."""

    def __init__(
        self,
        *,
        limit: int,
        release: Callable[[EventStream], None],
        single: bool = False,
        framing: EventFraming = EVENTS,
    ) -> None:
        self.limit = limit
        self.release = release
        self.single = single
        self.framing = framing
        self.subscriptions: dict[str, Subscriber] = {}
        self.queue: deque[bytes] = deque()
        self.wake = asyncio.Event()
        self.drained = asyncio.Event()
        self.closing = False

    def _id(self, operation_id: str) -> str | None:
        return operation_id if self.single else None

    # -- the Sink side (called by the broker) ------------------------------------------------

    def deliver(self, subscriber: Subscriber, rendered: Rendered) -> bool:
        key = self._id(subscriber.operation_id)
        return self.push(self.framing.result(rendered.payload, rendered.position, key))

    def end(self, subscriber: Subscriber, errors: list[dict[str, Any]]) -> None:
        if self.subscriptions.get(subscriber.operation_id) is subscriber:
            del self.subscriptions[subscriber.operation_id]
            self.finish(subscriber.operation_id, json.dumps({"errors": errors}).encode())

    def fall_behind(self) -> None:
        self.close()

    async def writable(self) -> None:
        while not self.closing and len(self.queue) >= self.limit // 2:
            self.drained.clear()
            await self.drained.wait()

    # -- sending -----------------------------------------------------------------------------

    def push(self, event: bytes) -> bool:
        if self.closing:
            return False
        if len(self.queue) >= self.limit:
            self.fall_behind()
            return False
        self.queue.append(event)
        self.wake.set()
        return True

    def finish(self, operation_id: str, payload: bytes | None = None) -> None:
        """An operation is over: its last result (if any), then ``complete``; a distinct
        stream then ends."""
        key = self._id(operation_id)
        if payload is not None:
            self.push(self.framing.result(payload, ORIGIN, key))
        self.push(self.framing.complete(key))
        if not self.single:
            self.close()

    def close(self) -> None:
        """End the stream after what is queued (its subscribers leave the broker now)."""
        if not self.closing:
            self.closing = True
            self.release(self)
            self.wake.set()
            self.drained.set()

    async def pump(self, send: Send, keep_alive: float, shutdown: asyncio.Event | None) -> None:
        """Write queued events until the stream is closed and drained (or the client left)."""
        stopping = shutdown if shutdown is not None else asyncio.Event()  # never set
        while True:
            if stopping.is_set():
                self.close()
            if self.queue:
                chunk = b"".join(self.queue)
                self.queue.clear()
                self.drained.set()
                await send(body(chunk))
                continue
            if self.closing:
                return
            self.wake.clear()
            try:
                await asyncio.wait_for(self._woken(stopping), keep_alive or None)
            except TimeoutError:
                await send(body(self.framing.keep_alive))

    async def _woken(self, stopping: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stopping.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()


def body(chunk: bytes, more: bool = True) -> dict[str, Any]:
    return {"type": "http.response.body", "body": chunk, "more_body": more}


@dataclass
class Reservation:
    """A single-connection stream, reserved by PUT and opened by GET with its token."""

    token: str
    expiry: asyncio.TimerHandle | None = None
    stream: EventStream | None = None
    operations: set[str] = field(default_factory=set)


class EventStreams:
    """ASGI app for ``/graphql``: event-stream requests here, everything else to ``fallback``
    (the GraphQL-over-HTTP endpoint)."""

    def __init__(
        self, service: Callable[[], LiveService], fallback: App, limits: SocketLimits
    ) -> None:
        self.service = service
        self.fallback = fallback
        self.limits = limits
        self.streams: set[EventStream] = set()
        self.pumps: set[asyncio.Task[None]] = set()
        self.reservations: dict[str, Reservation] = {}

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        method = request.method
        token = request.headers.get(TOKEN_HEADER) or request.query_params.get(TOKEN_PARAMETER)
        try:
            if method == "PUT":
                response = await self.reserve(request)
            elif method == "DELETE" and token is not None:
                response = self.complete(request, token)
            elif token is not None and method == "GET":
                await self.open_reserved(request, token, send)
                return
            elif token is not None and method == "POST":
                response = await self.start_reserved(request, token)
            elif method in ("GET", "POST") and accepts(scope, EVENT_STREAM):
                await self.run_distinct(request, send, EVENTS)
                return
            elif method == "POST" and accepts(scope, b"multipart/mixed", b"subscriptionspec"):
                await self.run_distinct(request, send, MultipartFraming())
                return
            else:
                await self.fallback(scope, receive, send)
                return
        except HttpError as error:
            response = error.response()
        await response(scope, receive, send)

    # -- distinct connections ----------------------------------------------------------------

    async def run_distinct(self, request: Request, send: Send, framing: EventFraming) -> None:
        operation = await self.operation(request)
        service = self.service()
        authorization = request.headers.get("authorization")
        await self.check_credentials(authorization)
        address = self.admit(request)
        last_event_id = request.headers.get("last-event-id")
        prepared = await service.gateway.prepare(
            payload(operation),
            authorization,
            address,
            resume=lambda _name: last_event_id,
            mutations=request.method != "GET",
        )
        stream = EventStream(
            limit=service.settings.live_queue_size, release=self.release, framing=framing
        )
        if isinstance(prepared, Rejected) and unavailable(prepared):
            raise service_unavailable(prepared)
        if isinstance(prepared, Rejected):
            stream.finish("", json.dumps({"errors": prepared.errors}).encode())
        elif isinstance(prepared, SingleResult):
            stream.finish("", prepared.payload.encode())
        else:
            self.subscribe(stream, "", prepared)
        await self.serve(request, stream, address, send)

    # -- single connection -------------------------------------------------------------------

    async def reserve(self, request: Request) -> Response:
        await self.check_credentials(request.headers.get("authorization"))
        self.admit(request)
        token = secrets.token_urlsafe(24)
        reservation = self.reservations[token] = Reservation(token)
        lapse = self.service().settings.live_connection_init_timeout
        reservation.expiry = asyncio.get_running_loop().call_later(
            lapse, self.reservations.pop, token, None
        )
        return Response(token, status_code=201, media_type="text/plain")

    async def open_reserved(self, request: Request, token: str, send: Send) -> None:
        reservation = self.reservation(token)
        if reservation.stream is not None:
            raise HttpError(409, "This event stream is open already", code="STREAM_ALREADY_OPEN")
        address = self.admit(request)
        if reservation.expiry is not None:
            reservation.expiry.cancel()
        settings = self.service().settings
        stream = EventStream(limit=settings.live_queue_size, release=self.release, single=True)
        reservation.stream = stream
        try:
            await self.serve(request, stream, address, send)
        finally:
            self.reservations.pop(token, None)

    async def start_reserved(self, request: Request, token: str) -> Response:
        reservation = self.reservation(token)
        stream = reservation.stream
        if stream is None or stream.closing:
            raise HttpError(
                409,
                "Open the event stream (GET with its token) before sending operations",
                code="STREAM_NOT_OPEN",
            )
        operation = await self.operation(request)
        operation_id = (operation.extensions or {}).get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            raise HttpError(
                400, "Name the operation: `extensions.operationId` (a string)", code="BAD_REQUEST"
            )
        if operation_id in stream.subscriptions:
            raise HttpError(
                409, f"Operation {operation_id[:64]} is running already", code="OPERATION_EXISTS"
            )
        service = self.service()
        limit = service.settings.live_max_subscriptions_per_connection
        if len(stream.subscriptions) >= limit:
            raise HttpError(
                400,
                f"At most {limit} subscriptions per connection; complete one first",
                code="TOO_MANY_SUBSCRIPTIONS",
            )
        last_event_id = request.headers.get("last-event-id")
        prepared = await service.gateway.prepare(
            payload(operation),
            request.headers.get("authorization"),
            client_address(request.scope),
            resume=lambda _name: last_event_id,
        )
        if isinstance(prepared, Rejected):
            if unavailable(prepared):
                raise service_unavailable(prepared)
            return json_response({"errors": prepared.errors}, 400)
        if isinstance(prepared, SingleResult):
            stream.finish(operation_id, prepared.payload.encode())
        else:
            self.subscribe(stream, operation_id, prepared)
        return Response(status_code=202)

    def complete(self, request: Request, token: str) -> Response:
        stream = self.reservation(token).stream
        operation_id = request.query_params.get("operationId")
        if not operation_id:
            raise HttpError(400, "Name the operation to complete: `?operationId=`")
        if stream is not None:
            subscriber = stream.subscriptions.pop(operation_id, None)
            if subscriber is not None:
                self.service().broker.leave(subscriber)
                stream.push(stream.framing.complete(operation_id))
        return Response(status_code=200)

    def reservation(self, token: str) -> Reservation:
        found = self.reservations.get(token)
        if found is None:
            raise HttpError(
                404,
                "Unknown or expired event stream token: reserve a stream with PUT",
                code="UNKNOWN_STREAM_TOKEN",
            )
        return found

    # -- shared steps ------------------------------------------------------------------------

    async def operation(self, request: Request) -> Operation:
        settings = self.service().settings
        return await read_operation(
            request,
            max_body_bytes=settings.max_body_bytes,
            body_seconds=settings.http_body_timeout,
        )

    async def check_credentials(self, authorization: str | None) -> None:
        if authorization is None:
            return
        refused = await self.service().gateway.authenticate(authorization)
        if refused is None:
            return
        if unavailable(refused):
            raise service_unavailable(refused)
        error = refused.errors[0]
        raise HttpError(
            401,
            str(error.get("message", "bad credentials")),
            code=str(error.get("extensions", {}).get("code", "UNAUTHENTICATED")),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    def admit(self, request: Request) -> str:
        """The client's address, when it may open one more live connection."""
        address = client_address(request.scope) or "unknown"
        full = self.limits.full(address)
        if full is None:
            return address
        status, message = {
            Full.PROCESS: (
                503,
                "Try again later: this server holds its limit of "
                f"{self.limits.per_process} live connections",
            ),
            Full.ADDRESS: (
                429,
                "Too many live connections from one address: at most "
                f"{self.limits.per_address} at once; close one first",
            ),
        }[full]
        raise retry_later(status, message, "TOO_MANY_CONNECTIONS", RETRY_AFTER_SECONDS)

    def subscribe(self, stream: EventStream, operation_id: str, start: LiveStart) -> None:
        subscriber = stream.subscriptions[operation_id] = start.subscriber(stream, operation_id)
        self.service().broker.join(subscriber, after=start.request.after)

    async def serve(self, request: Request, stream: EventStream, address: str, send: Send) -> None:
        """Answer with the stream until it ends or the client leaves."""
        settings = self.service().settings
        shutdown = request.scope.get("extensions", {}).get(SHUTDOWN)
        self.streams.add(stream)
        pump: asyncio.Task[None] | None = None
        try:
            with self.limits.hold(address):
                framing = stream.framing
                headers = list(framing.headers)
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send(body(framing.keep_alive))  # the headers reach the client now
                pump = asyncio.ensure_future(
                    stream.pump(send, settings.live_keepalive_interval, shutdown)
                )
                self.pumps.add(pump)
                left = asyncio.ensure_future(disconnected(request.receive))
                await asyncio.wait((pump, left), return_when=asyncio.FIRST_COMPLETED)
                left.cancel()
                if pump.done() and pump.exception() is None:
                    await send(body(b"", more=False))
        except OSError:
            pass  # the client went away while we wrote
        finally:
            if pump is not None:
                pump.cancel()
                self.pumps.discard(pump)
            stream.close()
            self.streams.discard(stream)

    def release(self, stream: EventStream) -> None:
        """A stream is closing: its subscribers leave the broker."""
        broker = self.service().broker
        for subscriber in stream.subscriptions.values():
            broker.leave(subscriber)
        stream.subscriptions.clear()

    async def close_all(self) -> None:
        """End every stream after what is queued (the service is stopping)."""
        pumps = list(self.pumps)
        for stream in list(self.streams):
            stream.close()
        if pumps:
            await asyncio.wait(pumps, timeout=SHUTDOWN_FLUSH_SECONDS)
        for reservation in self.reservations.values():
            if reservation.expiry is not None:
                reservation.expiry.cancel()
        self.reservations.clear()


async def disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def payload(operation: Operation) -> dict[str, Any]:
    return {
        "query": operation.query,
        "variables": operation.variables,
        "operationName": operation.operation_name,
        "extensions": operation.extensions,
    }


def service_unavailable(rejected: Rejected) -> HttpError:
    error = rejected.errors[0]
    seconds = int(error.get("extensions", {}).get("retryAfter", RETRY_AFTER_SECONDS))
    return retry_later(503, str(error["message"]), UNAVAILABLE, seconds)


def unavailable(rejected: Rejected) -> bool:
    return any(error.get("extensions", {}).get("code") == UNAVAILABLE for error in rejected.errors)
