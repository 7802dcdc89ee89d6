"""/metrics: the exposition format with Hub's metrics, live counters and delivery latency."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

import hub
from hub.settings import Settings
from tests.factories import Sessions, add_article, ensure_agency
from tests.helpers import GraphQLClient
from tests.live_client import LiveClient
from tests.realtime.factories import approve_article
from tests.servers import serving


def samples(text: str) -> dict[str, float]:
    """``name{label="value",...}`` -> value, for every sample."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def test_metrics_exposition(http: httpx.AsyncClient) -> None:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)
    assert found[f'hub_info{{version="{hub.__version__}"}}'] == 1
    assert found["hub_live_subscribers"] == 0
    assert found["hub_live_connections"] == 0
    assert found["hub_live_outbox_lag_rows"] == 0
    assert found["hub_live_outbox_lag_seconds"] == 0
    assert found["hub_live_delivery_latency_seconds_count"] == 0
    assert found["process_cpu_seconds_total"] > 0
    assert "hub_live_deliveries_total" in found


async def test_live_subscribers_deliveries_and_latency(
    settings: Settings, sessions: Sessions
) -> None:
    live_settings = settings.model_copy(update={"live_catch_up_interval": 1.0})
    await ensure_agency(sessions, slug="diskominfo-metrik")
    articles = [await add_article(sessions, agency_slug="diskominfo-metrik") for _ in range(2)]
    async with (
        serving(live_settings) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as http,
        LiveClient.connect(f"ws://{address}/graphql") as first,
        LiveClient.connect(f"ws://{address}/graphql") as second,
    ):
        await first.subscribe_articles("a")
        await second.subscribe_articles("b")
        for article in articles:
            await approve_article(sessions, article)
        await first.events(2)
        await second.events(2)
        found = samples((await http.get("/metrics")).text)
    assert found["hub_live_connections"] == 2
    assert found["hub_live_subscribers"] == 2
    assert found["hub_live_deliveries_total"] == 4
    # two changes, each measured once however many subscribers received it
    assert found["hub_live_delivery_latency_seconds_count"] == 2
    assert 0 < found["hub_live_delivery_latency_seconds_sum"] < 20
    assert found["hub_live_outbox_lag_rows"] == 0
    assert found["hub_sql_statements_total"] > found["hub_live_live_sql_statements_total"] > 0


async def test_graphql_requests_by_operation_and_outcome(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    await gql('query Regions { region(code: "64") { name children { code } } }')
    await gql("{ liveCursor }", headers={})
    await http.post(
        "/graphql", json={"query": "query Feed { articles(first: 1000) { totalCount } }"}
    )
    await http.post("/graphql", json={"query": "query Broken { nope }"})
    await http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    await http.post(
        "/graphql",
        json={"query": "query A { liveCursor } query B { liveCursor }", "operationName": "B"},
    )
    await http.get("/graphql", headers={"accept": "text/html"})  # the IDE: not a request
    found = samples((await http.get("/metrics")).text)
    requests = {
        key: value for key, value in found.items() if key.startswith("hub_graphql_requests_total")
    }
    assert requests == {
        'hub_graphql_requests_total{operation="Regions",outcome="ok"}': 1,
        'hub_graphql_requests_total{operation="anonymous",outcome="ok"}': 1,
        'hub_graphql_requests_total{operation="Feed",outcome="errors"}': 1,
        'hub_graphql_requests_total{operation="Broken",outcome="invalid"}': 1,
        'hub_graphql_requests_total{operation="anonymous",outcome="refused"}': 1,
        'hub_graphql_requests_total{operation="B",outcome="ok"}': 1,
    }
    assert found['hub_graphql_request_duration_seconds_count{operation="Regions"}'] == 1
    assert found["hub_graphql_request_sql_statements_count"] == 6
    # the region with its children (one statement) and the live cursors sent some; the
    # invalid and refused ones sent none
    assert found['hub_graphql_request_sql_statements_bucket{le="0.0"}'] >= 3
    assert found["hub_graphql_request_sql_statements_sum"] >= 2


def test_operation_names_are_bounded() -> None:
    from hub.metrics import MAX_OPERATION_NAMES, Metrics

    metrics = Metrics()
    assert metrics.operation_label("Feed") == "Feed"
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("bad name!") == "other"
    for number in range(MAX_OPERATION_NAMES * 2):
        metrics.operation_label(f"Op{number}")
    assert metrics.operation_label("Unseen") == "other"
    assert metrics.operation_label("Feed") == "Feed"
