"""``rateLimit``: the caller's quota, in the manner of GitHub's API.

Reports the decision the HTTP endpoint took on this very request (:mod:`hub.quota`): the cost
points per minute (``limit``), what is left after this request (``remaining``), when the
window resets (``resetAt``), what this request cost (``cost``), and the same for requests.
``null`` for callers without a quota (and over WebSocket, where quotas do not apply).
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.context import Context


@strawberry.type(description="The caller's quota in the current minute (window).")
class RateLimit:
    limit: int = strawberry.field(description="Cost points per minute; 0: cost is not limited.")
    remaining: int = strawberry.field(description="Cost points left, this request counted.")
    used: int = strawberry.field(description="Cost points used in this window.")
    cost: int = strawberry.field(description="What this request cost.")
    reset_at: datetime = strawberry.field(description="When the window ends and all resets.")
    request_limit: int = strawberry.field(description="Requests per minute; 0: not limited.")
    requests_remaining: int = strawberry.field(description="Requests left, this one counted.")


@strawberry.type
class RateLimitQuery:
    @strawberry.field(description="Your quota (null when you have none).")
    def rate_limit(self, info: Info[Context, None]) -> RateLimit | None:
        decision = info.context.quota
        if decision is None:
            return None
        rule = decision.rule
        return RateLimit(
            limit=rule.cost,
            remaining=decision.cost_remaining,
            used=decision.cost_used,
            cost=decision.cost,
            reset_at=decision.reset_at,
            request_limit=rule.requests,
            requests_remaining=decision.requests_remaining,
        )
