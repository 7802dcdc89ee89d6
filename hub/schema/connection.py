"""Relay connections: ``PageInfo``, generic ``Connection``/``Edge``, and the page arguments.

Every list field returns a connection paginated by keyset cursors (``first/after`` forwards,
``last/before`` backwards); ``totalCount`` costs one more statement and only runs when asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from hub.resolvers.connections import ConnectionArgs, Slice

T = TypeVar("T")

FIRST = "Page forward: at most this many items after `after` (default 20, at most 100)."
AFTER = "Cursor of the item to start after."
LAST = "Page backward: at most this many items before `before`."
BEFORE = "Cursor of the item to end before."


First = Annotated[int | None, strawberry.argument(description=FIRST)]
After = Annotated[str | None, strawberry.argument(description=AFTER)]
Last = Annotated[int | None, strawberry.argument(description=LAST)]
Before = Annotated[str | None, strawberry.argument(description=BEFORE)]


def page_args(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> ConnectionArgs:
    return ConnectionArgs(first=first, after=after, last=last, before=before)


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")

    @classmethod
    def of(cls, page: Slice[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type(description="An item of a list with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of the item in its list.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items in the whole list (one more query).")
    async def total_count(self) -> int:
        return await self.counter()

    @strawberry.field(description="The items of the page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Slice[T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=n) for c, n in zip(page.cursors, page.items, strict=True)]
        return cls(edges=edges, page_info=PageInfo.of(page), counter=page.count)
