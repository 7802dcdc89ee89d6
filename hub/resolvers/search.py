"""Searches as understood (parsed, corrected by the dictionary), and the root ``search``
field: matches of every kind, best first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub import reads
from hub.db import search_language
from hub.db.binds import INLINE_PLANNED_PER_VALUE
from hub.db.repositories import search_results
from hub.db.search_language import SearchTerms
from hub.errors import InvalidInput
from hub.resolvers.connections import ConnectionArgs, Slice, root_slice

if TYPE_CHECKING:
    from hub.context import Context


@dataclass(frozen=True)
class SearchMatch:
    kind: str  # article | event | person | agency
    id: int
    score: float


async def understand(ctx: Context, text: str, *, argument: str = "search") -> SearchTerms:
    """The search terms of ``text``: words the dictionary of published words does not know
    are corrected (one statement for all the searches of a request, none when no word needs
    looking up)."""
    parsed = search_language.parse(text, argument=argument)
    checked = parsed.checked_words()
    corrections = await ctx.loaders.search_corrections.load(checked) if checked else {}
    return search_language.understand(parsed, corrections)


async def search_everything(
    ctx: Context, *, text: str, kinds: tuple[str, ...] | None, args: ConnectionArgs
) -> tuple[SearchTerms, Slice[SearchMatch]]:
    if kinds is not None and not kinds:
        raise InvalidInput("`kinds` must name at least one kind", field="kinds")
    terms = await understand(ctx, text, argument="query")
    reads.article_list(None)  # searches read every kind; articles and events change
    reads.event_list()
    statement, ordering = search_results.statement(
        ctx.viewer, terms.terms, kinds or search_results.KINDS
    )
    return terms, await root_slice(
        ctx,
        statement,
        ordering,
        args,
        lambda row: SearchMatch(row.kind, row.id, row.score),
        INLINE_PLANNED_PER_VALUE,  # planned for its words
    )
