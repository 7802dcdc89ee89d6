"""Hub's GraphQL-over-HTTP edge: ``/graphql`` for GET and POST.

``operation`` reads a request into an :class:`~hub.http.operation.Operation` (GET parameters or a
JSON body, within a size limit), ``endpoint`` runs the pipeline — read, authenticate, execute,
answer — and ``responses`` writes GraphQL-shaped answers, including for failures that happen before
any GraphQL runs. ``response_cache`` keeps anonymous queries' answers, dropped by the outbox
changes ``invalidation`` says they depend on. Subscriptions (WebSocket, and event streams
over HTTP) are served by ``hub/realtime`` on the same path.
"""
