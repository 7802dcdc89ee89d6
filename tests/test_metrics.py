"""/metrics: the exposition format with Hub's metrics, live counters and delivery latency."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

import hub
from hub.settings import Settings
from tests.factories import Sessions, add_article, ensure_agency
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
    assert found["hub_live_sql_statements_total"] >= found["hub_live_live_sql_statements_total"]
