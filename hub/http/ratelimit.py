"""Quotas over HTTP: the IETF ``RateLimit-Policy`` / ``RateLimit`` header fields, and the 429
refusal.

Two policies per limited client, both per minute: ``"requests"`` and ``"cost"`` (query cost
points). ``RateLimit-Policy: "requests";q=300;w=60, "cost";q=50000;w=60`` states them,
``RateLimit: "requests";r=212;t=37, "cost";r=48811;t=37`` says what is left (``r``) and in how
many seconds the window resets (``t``) — the structured-field form of
draft-ietf-httpapi-ratelimit-headers. A limit of 0 (none) is not listed.
"""

from __future__ import annotations

from hub.http.responses import HttpError, retry_later
from hub.quota import WINDOW_SECONDS, QuotaDecision

PRINCIPALS = {"address": "this client address", "api_key": "this API key", "account": "you"}


def policies(decision: QuotaDecision) -> list[tuple[str, int, int]]:
    """``(name, limit, remaining)`` of each limit that applies."""
    rule = decision.rule
    listed = [
        ("requests", rule.requests, decision.requests_remaining),
        ("cost", rule.cost, decision.cost_remaining),
    ]
    return [(name, limit, remaining) for name, limit, remaining in listed if limit > 0]


def headers(decision: QuotaDecision) -> dict[str, str]:
    limits = policies(decision)
    return {
        "RateLimit-Policy": ", ".join(
            f'"{name}";q={limit};w={WINDOW_SECONDS}' for name, limit, _ in limits
        ),
        "RateLimit": ", ".join(
            f'"{name}";r={remaining};t={decision.resets_in}' for name, _, remaining in limits
        ),
    }


def refusal(decision: QuotaDecision) -> HttpError:
    rule = decision.rule
    whose = PRINCIPALS.get(rule.key.split(":", 1)[0], "this client")
    limits = " and ".join(
        f"{limit} {'requests' if name == 'requests' else 'cost points'}"
        for name, limit, _ in policies(decision)
    )
    error = retry_later(
        429,
        f"Rate limit exceeded: {limits} per minute for {whose}; "
        f"try again in {decision.retry_after} s",
        "RATE_LIMITED",
        decision.retry_after,
    )
    error.headers.update(headers(decision))
    return error
