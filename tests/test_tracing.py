"""OpenTelemetry (optional extra): a real ``hub serve`` exports a span per request over
OTLP/HTTP to a collector given by the standard variables, continuing the caller's trace, with
the request id, operation name and outcome on it."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from hub import tracing
from tests.helpers import free_port
from tests.servers import ServerProcess, clean_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not tracing.available(), reason="the otel extra is not installed"),
]

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    """A minimal OTLP/HTTP receiver: keeps each export's body."""
    received: list[bytes] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        thread.join()


def spans(bodies: list[bytes]) -> list[tuple[str, dict[str, object]]]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    found = []
    for body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                for span in scope.spans:
                    attributes = {a.key: a.value.string_value for a in span.attributes}
                    found.append((span.trace_id.hex(), {"name": span.name, **attributes}))
    return found


def test_requests_are_traced(database_url: str, collector: tuple[str, list[bytes]]) -> None:
    endpoint, received = collector
    env = clean_env(
        HUB_DATABASE_URL=database_url,
        HUB_AUTO_MIGRATE="false",
        OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    server = ServerProcess(env)
    try:
        server.wait_ready()
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": "query Cursor { liveCursor }"},
            headers={
                "X-Request-ID": "traced-1",
                "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
            },
        )
        assert response.status_code == 200
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
            attributes.get("hub.request_id") == "traced-1" for _, attributes in spans(received)
        ):
            time.sleep(0.1)
    finally:
        assert server.stop() == 0
    [(trace_id, span)] = [
        (trace_id, attributes)
        for trace_id, attributes in spans(received)
        if attributes.get("hub.request_id") == "traced-1"
    ]
    assert trace_id == TRACE_ID  # the caller's trace continues
    assert span["graphql.operation.name"] == "Cursor"
    assert span["hub.outcome"] == "ok"
    assert not any("/health/" in str(attributes.get("name")) for _, attributes in spans(received))
