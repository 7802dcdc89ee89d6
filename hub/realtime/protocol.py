"""GraphQL over WebSocket: graphql-transport-ws, and the legacy graphql-ws for older clients.

An ASGI endpoint. The handshake refuses browsers from foreign origins (HTTP 403) and
clients that speak neither subprotocol (close 4406). The first message must be
``connection_init`` within the configured timeout (else 4408). Each ``subscribe`` (``start``
in graphql-ws) is prepared by the gateway: request errors come back as an ``error``
message, queries and mutations as one result, subscriptions join the broker. Malformed
messages close with 4400, a subscribe before init with 4401, a duplicate operation id
with 4409, a second init with 4429.

Between its upgrade and its first operation a WebSocket holds one of the process's
handshake turns (:mod:`hub.realtime.admission`); one that found none in time is accepted and
closed at once with 1013 and a reason naming when to reconnect.

``connection_init`` may carry credentials, ``{"authorization": "Bearer <access token or API
key>"}`` (``Authorization`` also accepted): bad, expired or revoked ones close the socket
with 4403 (Forbidden) and the reason, before anything else happens (1013, try again later,
when they cannot be checked because the database is unavailable); none at all is the
anonymous viewer (public streams). The connection remembers the credential: every later
operation is authenticated from it again, and login-only streams re-check it at each
delivery.

``connection_init`` may also carry where the client got to, ``{"resume": {"<operation name
or operation id>": "<cursor>"}}``: a subscription of that name (or id) resumes after that
cursor when it is later than its own ``after``. Clients that compute their connection
parameters on every connect (graphql-ws re-evaluates a ``connectionParams`` function)
send the last cursor each subscription received, and their automatic retry, which sends
the original subscription again, neither repeats nor loses an event. A ``resume`` that is
not such an object closes the socket with 4400.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, Any

from hub.addresses import client_address
from hub.origins import OriginPolicy
from hub.realtime.admission import Turn
from hub.realtime.connection import LEGACY_WS, TRANSPORT_WS, LiveConnection
from hub.realtime.direct import EXTENSION, SHUTDOWN_EXTENSION, FrameChannel
from hub.realtime.frames import message_prefix
from hub.realtime.gateway import LiveStart, Rejected, SingleResult

if TYPE_CHECKING:
    from hub.realtime.service import LiveService

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

BAD_MESSAGE = 4400
FORBIDDEN = 4403
TRY_AGAIN_LATER = 1013
UNAVAILABLE = "SERVICE_UNAVAILABLE"  # the gateway could not check credentials: no database


def choose_subprotocol(offered: list[str]) -> str | None:
    for protocol in (TRANSPORT_WS, LEGACY_WS):
        if protocol in offered:
            return protocol
    return None


def origin_allowed(headers: list[tuple[bytes, bytes]], policy: OriginPolicy) -> bool:
    """The handshake's ``Origin`` under the server's origin policy (the same as over HTTP)."""
    values = {name.lower(): value.decode("latin-1") for name, value in headers}
    return policy.allows(values.get(b"origin"), values.get(b"host"))


class LiveEndpoint:
    """ASGI app for WebSocket requests to ``/graphql``."""

    def __init__(self, service: Callable[[], LiveService], origins: OriginPolicy) -> None:
        self.service = service
        self.origins = origins

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        service = self.service()
        if (await receive())["type"] != "websocket.connect":
            return
        settings = service.settings
        if not origin_allowed(scope.get("headers", []), self.origins):
            await send({"type": "websocket.close", "code": 1008})  # refused handshake: 403
            return
        protocol = choose_subprotocol(scope.get("subprotocols", []))
        if protocol is None:
            await send({"type": "websocket.accept"})
            await send(
                {"type": "websocket.close", "code": 4406, "reason": "Subprotocol not acceptable"}
            )
            return
        turn = await service.admission.enter()
        await send({"type": "websocket.accept", "subprotocol": protocol})
        if turn is None:
            await send(
                {"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": service.busy()}
            )
            return
        extensions = scope.get("extensions", {})
        channel = extensions.get(EXTENSION)
        connection = LiveConnection(
            send=send,
            protocol=protocol,
            limit=settings.live_queue_size,
            on_close=service.release,
            channel=channel if isinstance(channel, FrameChannel) else None,
            writes=service.writes,
            keep_alive_interval=settings.live_keepalive_interval,
        )
        service.connections.add(connection)
        if isinstance(hook := extensions.get(SHUTDOWN_EXTENSION), FrameChannel):
            hook.on_shutdown = lambda: connection.shut_down(service.restart_frame())
        try:
            await Session(service, connection, client_address(scope), turn).run(receive)
        finally:
            turn.release()
            service.connections.discard(connection)
            connection.abandon()


class Session:
    """The receiving side of one connection (short-lived: exists while ``run`` runs)."""

    def __init__(
        self,
        service: LiveService,
        connection: LiveConnection,
        client_address: str | None,
        turn: Turn,
    ) -> None:
        self.service = service
        self.connection = connection
        self.client_address = client_address
        self.turn = turn  # released once the first operation is under way
        self.legacy = connection.protocol == LEGACY_WS
        # connection_init's: operation name or id -> cursor (None: from its own `after`)
        self.resume: dict[str, str | None] = {}

    async def run(self, receive: Receive) -> None:
        connection = self.connection
        try:
            message = await asyncio.wait_for(
                receive(), self.service.settings.live_connection_init_timeout
            )
        except TimeoutError:
            connection.close(4408, "Connection initialisation timeout")
            await connection.finished()
            return
        while message["type"] == "websocket.receive" and not connection.closing:
            connection.heard = True
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            await self.handle(text)
            if connection.closing:
                break
            message = await receive()
        await connection.finished()

    async def handle(self, text: str) -> None:
        connection = self.connection
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            connection.close(BAD_MESSAGE, "Invalid message received")
            return
        kind = message["type"]
        if kind == "connection_init":
            await self.initialise(message.get("payload"))
        elif kind in ("subscribe", "start"):
            await self.subscribe(message)
            self.turn.release()
        elif kind in ("complete", "stop"):
            self.complete(message.get("id"))
        elif kind == "ping" and not self.legacy:
            connection.send_json({"type": "pong"})
        elif kind == "pong" and not self.legacy:
            connection.ping_outstanding = False
        elif kind == "connection_terminate" and self.legacy:
            connection.close(1000, "terminated")
        else:
            connection.close(BAD_MESSAGE, f"Unknown message type: {kind[:40]}")

    async def initialise(self, payload: object) -> None:
        connection = self.connection
        if connection.initialised:
            connection.close(4429, "Too many initialisation requests")
            return
        connection.initialised = True
        given = payload if isinstance(payload, dict) else {}
        authorization = given.get("authorization", given.get("Authorization"))
        if authorization is not None and not isinstance(authorization, str):
            self.refuse("`authorization` must be a string: `Bearer <access token or API key>`")
            return
        resume = given.get("resume", {})
        if not isinstance(resume, dict) or not all(
            isinstance(cursor, str | None) for cursor in resume.values()
        ):
            connection.close(BAD_MESSAGE, "`resume` must map operation names or ids to cursors")
            return
        self.resume = resume
        refused = await self.service.gateway.authenticate(authorization)
        if connection.closing:
            return
        if refused is not None:
            error = refused.errors[0]
            if error.get("extensions", {}).get("code") == UNAVAILABLE:
                connection.close(TRY_AGAIN_LATER, str(error["message"]))  # not the credential
            else:
                self.refuse(str(error.get("message", "bad credentials")))
            return
        connection.authorization = authorization
        connection.send_json({"type": "connection_ack"})
        if self.legacy:
            connection.send_json({"type": "ka"})

    async def subscribe(self, message: dict[str, Any]) -> None:
        connection = self.connection
        if not connection.initialised:
            connection.close(4401, "Unauthorized")
            return
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or not isinstance(payload, dict):
            connection.close(BAD_MESSAGE, "Invalid message received")
            return
        if operation_id in connection.subscriptions:
            connection.close(4409, f"Subscriber for {operation_id[:64]} already exists")
            return
        limit = self.service.settings.live_max_subscriptions_per_connection
        if len(connection.subscriptions) >= limit:
            self.error(operation_id, [too_many_subscriptions(limit)])
            return
        prepared = await self.service.gateway.prepare(
            payload,
            connection.authorization,
            self.client_address,
            resume=partial(self.resume_after, operation_id),
        )
        if connection.closing:
            return
        if isinstance(prepared, Rejected):
            self.error(operation_id, prepared.errors)
        elif isinstance(prepared, SingleResult):
            kind = "data" if self.legacy else "next"
            connection.send_text(
                f'{{"id":{json.dumps(operation_id)},"type":"{kind}","payload":{prepared.payload}}}'
            )
            connection.send_json({"id": operation_id, "type": "complete"})
        elif isinstance(prepared, LiveStart):
            prefix = message_prefix(operation_id, connection.next_kind)
            subscriber = prepared.subscriber(connection, operation_id, prefix)
            connection.subscriptions[operation_id] = subscriber
            self.service.broker.join(subscriber, after=prepared.request.after)

    def resume_after(self, operation_id: str, name: str | None) -> str | None:
        """The cursor ``connection_init`` gave for this operation (by id, else by name)."""
        found = self.resume.get(operation_id)
        if found is None and name is not None:
            found = self.resume.get(name)
        return found

    def refuse(self, message: str) -> None:
        """Bad credentials: no data, the socket closes with 4403 and the reason."""
        if self.legacy:
            self.connection.send_json({"type": "connection_error", "payload": {"message": message}})
        self.connection.close(FORBIDDEN, f"Forbidden: {message}", after_queued=True)

    def complete(self, operation_id: object) -> None:
        if isinstance(operation_id, str):
            subscriber = self.connection.subscriptions.pop(operation_id, None)
            if subscriber is not None:
                self.service.broker.leave(subscriber)

    def error(self, operation_id: str, errors: list[dict[str, Any]]) -> None:
        self.connection.send_json({"id": operation_id, "type": "error", "payload": errors})


def too_many_subscriptions(limit: int) -> dict[str, Any]:
    return {
        "message": f"At most {limit} subscriptions per connection; complete one first",
        "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"},
    }
