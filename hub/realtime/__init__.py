"""Live delivery of published changes: outbox reader, broker, subscriber registry, transport.

One :class:`~hub.realtime.broker.Broker` per process reads each committed outbox row once (in
stream order, see :mod:`hub.realtime.cursor`), matches it against the subscribers indexed
by filter (:mod:`hub.realtime.registry`) and hands one rendered payload per selection to
every matching subscriber's bounded queue (:mod:`hub.realtime.connection`). The WebSocket
protocols (graphql-transport-ws and the legacy graphql-ws) live in
:mod:`hub.realtime.protocol`, Server-Sent Events (graphql-sse) and multipart HTTP
subscriptions in :mod:`hub.realtime.sse`; GraphQL parsing and execution are injected by the schema
layer through :class:`~hub.realtime.gateway.Gateway`, so nothing here imports strawberry.
"""
