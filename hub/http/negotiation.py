"""Which media type a GraphQL answer is written in, and what status it carries.

The GraphQL-over-HTTP specification's ``application/graphql-response+json`` is chosen when the
client's ``Accept`` prefers it (by q-value; on a tie it wins); anything else — no ``Accept``,
``*/*``, ``application/json`` — is answered in ``application/json``, as before. The two differ
on requests that never executed (a document that does not parse or validate, variables that do
not coerce, no such operation): ``application/graphql-response+json`` answers them with 400 and
no ``data`` entry, ``application/json`` with 200, which is what older clients expect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.http.qvalues import weighted
from hub.http.responses import JSON

GRAPHQL_RESPONSE = "application/graphql-response+json"


def media_type(accept: str | None) -> str:
    """The answer's media type for the request's ``Accept`` header."""
    if not accept:
        return JSON
    best: tuple[float, bool] | None = None
    chosen = JSON
    for name, weight in weighted(accept):
        if name not in (GRAPHQL_RESPONSE, JSON):
            continue
        rank = (weight, name == GRAPHQL_RESPONSE)
        if weight > 0 and (best is None or rank > best):
            best, chosen = rank, name
    return chosen


def answer(body: Mapping[str, Any], *, executed: bool, media: str) -> tuple[int, Mapping[str, Any]]:
    """The status and body of an answer: ``executed`` is false for a request that failed
    before execution began."""
    if executed or media != GRAPHQL_RESPONSE:
        return 200, body
    return 400, {key: value for key, value in body.items() if key != "data"}
