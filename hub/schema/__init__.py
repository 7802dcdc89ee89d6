"""The GraphQL schema: types per domain noun, root operations, extensions."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types

from hub.schema.execution import HubExecutionContext
from hub.schema.extensions import default_extensions, is_unexpected
from hub.schema.mutation import ACCOUNT_QUERIES, Mutation
from hub.schema.query import Query as ReadQuery
from hub.schema.rate_limit import RateLimitQuery
from hub.schema.subscription import LiveQuery, Subscription

logger = logging.getLogger("hub.graphql")


class HubSchema(strawberry.Schema):
    """Logs unexpected exceptions (with the request id) before they are masked; expected
    errors (bad input, not found, forbidden) are the client's business and not logged."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any | None = None
    ) -> None:
        context = getattr(execution_context, "context", None)
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error at %s (request %s)",
                    error.path,
                    request_id,
                    exc_info=error.original_error,
                )


def build_schema() -> strawberry.Schema:
    return HubSchema(
        query=merge_types("Query", (ReadQuery, LiveQuery, *ACCOUNT_QUERIES, RateLimitQuery)),
        mutation=Mutation,
        subscription=Subscription,
        extensions=default_extensions(),
        execution_context_class=HubExecutionContext,
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
