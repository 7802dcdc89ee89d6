"""Production defaults: no GraphiQL (a browser opening ``/graphql`` gets a GraphQL-shaped
refusal, not the IDE), while development serves it."""

from __future__ import annotations

from collections.abc import Callable

from hub.settings import Environment, Settings
from tests.security.conftest import client_from, running

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


async def test_graphiql_is_off_in_production(abuse_settings: Callable[..., Settings]) -> None:
    production = abuse_settings(environment=Environment.PRODUCTION, secret_key="k" * 48)
    async with running(production) as app:
        client = client_from(app, "198.51.100.20")
        async with client.http:
            response = await client.http.get("/graphql", headers=BROWSER)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "graphiql" not in response.text.lower()

    async with running(abuse_settings()) as app:
        client = client_from(app, "198.51.100.20")
        async with client.http:
            response = await client.http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert "/graphiql/graphiql.min.js" in response.text
