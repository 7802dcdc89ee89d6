"""How a search was understood (``searchedFor`` on article and search connections)."""

from __future__ import annotations

import strawberry

from hub.db import search_language


@strawberry.type(description="A misspelled word of a search and the word searched instead.")
class SearchCorrection:
    typed: str = strawberry.field(description="The word as typed.")
    understood: str = strawberry.field(description="The word searched for instead.")


@strawberry.type(
    description="How a search was understood: the text searched for, with misspelled words "
    "replaced by the closest words of published articles (show it as “showing results for …” "
    "when `corrections` is not empty)."
)
class SearchedFor:
    text: str = strawberry.field(description="The search as understood.")
    corrections: list[SearchCorrection] = strawberry.field(
        description="The words corrected, in the order typed; empty when none was."
    )

    @classmethod
    def of(cls, searched: search_language.SearchedFor) -> SearchedFor:
        corrections = [SearchCorrection(typed=a, understood=b) for a, b in searched.corrections]
        return cls(text=searched.text, corrections=corrections)
