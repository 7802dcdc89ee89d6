"""GraphQL ``ArticleTransition``: one entry of an article's workflow log."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.auth import can_read_history
from hub.context import Context
from hub.schema.enums import ArticleStatus, TransitionKind


@strawberry.type(description="One workflow step of an article.")
class ArticleTransition:
    kind: TransitionKind = strawberry.field(
        description="What happened; IMPORTED: brought in from where it was first published."
    )
    from_status: ArticleStatus | None = strawberry.field(
        description="Status before the step; null for the creation."
    )
    to_status: ArticleStatus = strawberry.field(description="Status after the step.")
    actor: str | None = strawberry.field(
        description="Who took the step (display name, or `API key <name>`); null if deleted."
    )
    reason: str | None = strawberry.field(
        description="Why: the rejection reason, retraction reason or correction note."
    )
    article_version: int = strawberry.field(description="The article's version after the step.")
    at: datetime = strawberry.field(description="When.")
    origin: str | None = strawberry.field(
        description="For an import: where the content came from (its address, the archive or "
        "site imported)."
    )


async def article_history(
    info: Info[Context, None], article_id: int, agency_id: int
) -> list[ArticleTransition] | None:
    if not can_read_history(info.context.viewer, agency_id):
        return None
    logged = await info.context.loaders.transitions_by_article_id.load(article_id)
    return [
        ArticleTransition(
            kind=TransitionKind(row.transition.kind),
            from_status=ArticleStatus(row.transition.from_status)
            if row.transition.from_status
            else None,
            to_status=ArticleStatus(row.transition.to_status),
            actor=row.actor,
            reason=row.transition.reason,
            article_version=row.transition.article_version,
            at=row.transition.created_at,
            origin=row.transition.origin,
        )
        for row in logged
    ]
