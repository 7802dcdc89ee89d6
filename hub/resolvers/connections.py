"""Connections: a page of items with their cursors, neighbours' flags and a lazy total count.

``root_slice`` pages a root list (one statement, one more for ``totalCount`` when asked);
``child_slice`` pages a list under a parent through the request's ``child_pages`` DataLoader,
so the lists of every parent on a level are fetched together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Select

from hub import reads
from hub.db.binds import INLINE, Binds
from hub.db.keyset import Ordering, Page, PageRows
from hub.db.models import ArticlePerson, Event
from hub.db.nested import CHILD_LISTS, ChildCountKey, ChildPageKey
from hub.db.repositories import pages
from hub.resolvers.pagination import encode_cursor, page_from_arguments

if TYPE_CHECKING:
    from hub.context import Context

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class ConnectionArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class Slice(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]

    def map(self, convert: Callable[[T], U]) -> Slice[U]:
        return Slice(
            [convert(item) for item in self.items],
            self.cursors,
            self.has_next,
            self.has_previous,
            self.count,
        )


def page_of(ctx: Context, ordering: Ordering, args: ConnectionArgs) -> Page:
    return page_from_arguments(
        ordering,
        first=args.first,
        after=args.after,
        last=args.last,
        before=args.before,
        maximum=ctx.settings.max_page_size,
    )


def slice_of(
    rows: PageRows[T], ordering: Ordering, count: Callable[[], Awaitable[int]]
) -> Slice[T]:
    return Slice(
        items=rows.items,
        cursors=[encode_cursor(ordering, key) for key in rows.keys],
        has_next=rows.has_next,
        has_previous=rows.has_previous,
        count=count,
    )


async def root_slice(
    ctx: Context,
    statement: Select[Any],
    ordering: Ordering,
    args: ConnectionArgs,
    item: Callable[[Any], T],
    binds: Binds = INLINE,
) -> Slice[T]:
    """A page of ``statement`` (which selects the model first) in ``ordering``."""
    page = page_of(ctx, ordering, args)
    async with ctx.reads() as session:
        rows = await pages.select_page(session, statement, ordering, page, item, binds)

    async def count() -> int:
        async with ctx.reads() as session:
            return await pages.count_rows(session, statement)

    return slice_of(rows, ordering, count)


async def child_slice(
    ctx: Context, name: str, parent: Hashable, query: Hashable, args: ConnectionArgs
) -> Slice[Any]:
    """A page of the nested list ``name`` under ``parent`` (batched with its siblings)."""
    model = CHILD_LISTS[name].model
    if model is Event:
        reads.event_list()
    elif model is ArticlePerson:
        reads.article_list(None)  # a person's quotes, in any article
    ordering = CHILD_LISTS[name].ordering(query)
    page = page_of(ctx, ordering, args)
    rows = await ctx.loaders.child_pages.load(ChildPageKey(name, parent, query, page))

    async def count() -> int:
        return await ctx.loaders.child_counts.load(ChildCountKey(name, parent, query))

    return slice_of(rows, ordering, count)
