"""The execution context: graphql-core's, plus values a resolver has already completed.

A resolver may return ``Completed(value)`` (``hub/schema/projection.py``) when it has built the
response of its whole selection itself; the value goes into the response unchanged instead of
being completed field by field.
"""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.schema.projection import Completed


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_value(
        self, return_type: Any, field_details: Any, info: Any, path: Any, result: Any, *rest: Any
    ) -> Any:
        if type(result) is Completed:
            return result.value
        return super().complete_value(return_type, field_details, info, path, result, *rest)
