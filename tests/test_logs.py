"""Log lines of a real ``hub serve``: timestamps, request ids, text or JSON."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.servers import ServerProcess, clean_env

pytestmark = pytest.mark.slow

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def served_lines(database_url: str, log_format: str, request_id: str) -> list[str]:
    env = clean_env(
        HUB_DATABASE_URL=database_url, HUB_AUTO_MIGRATE="false", HUB_LOG_FORMAT=log_format
    )
    server = ServerProcess(env)
    try:
        server.wait_ready()
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ liveCursor }"},
            headers={"X-Request-ID": request_id},
        )
        assert response.headers["x-request-id"] == request_id
    finally:
        assert server.stop() == 0
    return server.output().splitlines()


def test_json_logs(database_url: str) -> None:
    lines = served_lines(database_url, "json", "trace-json-1")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert re.fullmatch(TIME, record["time"]), record
        assert {"level", "logger", "message"} <= record.keys()
    [access] = [r for r in records if r.get("path") == "/graphql"]
    assert access["logger"] == "uvicorn.access"
    assert access["request_id"] == "trace-json-1"
    assert (access["method"], access["status"]) == ("POST", 200)
    assert any("GraphiQL at http://127.0.0.1:" in r["message"] for r in records)


def test_text_logs(database_url: str) -> None:
    lines = served_lines(database_url, "text", "trace-text-1")
    logged = [line for line in lines if re.match(TIME + " ", line)]
    assert any(line.startswith("Hub on PostgreSQL: GraphiQL at ") for line in lines)
    assert len(logged) == len(lines) - 1, lines  # all but the banner
    [access] = [line for line in logged if "POST /graphql" in line]
    assert re.fullmatch(TIME + r" INFO uvicorn\.access \[trace-text-1\] .*200.*", access)
