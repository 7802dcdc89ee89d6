"""The root ``search`` field: matches of every kind, best first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.db import search
from hub.db.binds import INLINE_PLANNED_PER_VALUE
from hub.db.repositories import search_results
from hub.errors import InvalidInput
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


@dataclass(frozen=True)
class SearchMatch:
    kind: str  # article | event | person | agency
    id: int
    score: float


async def search_everything(
    ctx: Context, *, text: str, kinds: tuple[str, ...] | None, args: ConnectionArgs
) -> Slice[SearchMatch]:
    words = search.search_words(text, argument="query")
    if kinds is not None and not kinds:
        raise InvalidInput("`kinds` must name at least one kind", field="kinds")
    statement, ordering = search_results.statement(ctx.viewer, words, kinds or search_results.KINDS)
    return await root_slice(
        ctx,
        statement,
        ordering,
        args,
        lambda row: SearchMatch(row.kind, row.id, row.score),
        INLINE_PLANNED_PER_VALUE,  # planned for its words
    )
