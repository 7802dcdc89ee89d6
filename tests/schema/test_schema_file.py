"""The committed ``schema.graphql`` is what the code builds (run ``hub schema --output
schema.graphql`` after changing the schema)."""

from __future__ import annotations

from pathlib import Path

from hub.schema import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `hub schema --output schema.graphql`"
    )
