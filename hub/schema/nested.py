"""Article lists under an object (``Region.articles``, ``Agency.articles``...), declared once.

``article_list`` makes the field: the list's arguments (filter, search, ordering, paging) and
the page of articles under the object the field belongs to, through
``hub.schema.article.nested_articles`` (batched with the sibling objects' pages).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from hub.context import Context
from hub.schema.connection import After, Before, First, Last
from hub.schema.filters import FilterArgument, OrderArgument, SearchArgument

if TYPE_CHECKING:
    from hub.schema.article import ArticleConnection


def article_list(list_name: str, parent_key: Callable[[Any], Hashable], description: str) -> Any:
    """The field of the nested list ``list_name``; ``parent_key`` gives the owner's key."""

    async def articles(
        root: Any,
        info: Info[Context, None],
        filter: FilterArgument = None,
        search: SearchArgument = None,
        order_by: OrderArgument = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Annotated[ArticleConnection, strawberry.lazy("hub.schema.article")]:
        from hub.schema.article import nested_articles

        return await nested_articles(
            info, list_name, parent_key(root), filter, search, order_by, first, after, last, before
        )

    return strawberry.field(resolver=articles, description=description)
