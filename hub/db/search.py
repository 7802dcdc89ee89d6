"""Indonesian full-text search: search terms → SQL conditions, scores and highlights.

The terms come from ``hub/db/search_language.py`` (what users type, read as Indonesian is
written: numbers, thesaurus, titles, corrections). A term matches a document when one of its
alternatives — a word's ``indonesian`` stem or plain unaccented form (proper names: the
stemmer turns *Balikpapan* into *balikpap*), a number's canonical form, a phrase — is in the
document's vector (``hub_term_query``, GIN index). All terms must match. Relevance is tiered —
all terms in the title, else in title and summary, else anywhere — newest first within a tier;
each tier has its own index, so ranking never visits every match. The same SQL functions build
the stored vectors (migrations 0002, 0010).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    SQLColumnExpression,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    not_,
)
from sqlalchemy.dialects.postgresql import REGCONFIG

from hub.db.binds import INLINE, Binds
from hub.db.keyset import Tier
from hub.db.search_language import words_of

RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C (body), B (summary), A (title)
HEADLINE_SOURCE = 1500  # characters of a text that highlighting looks at
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2"


def terms(words: tuple[str, ...], binds: Binds) -> list[Any]:
    """The terms as SQL values, named ``word_0``, ``word_1``..."""
    return [binds.expression(f"word_{index}", word, String()) for index, word in enumerate(words)]


def term_query(term: Any) -> ColumnElement[Any]:
    return func.hub_term_query(term)


def all_words_query(words: tuple[str, ...], binds: Binds = INLINE) -> ColumnElement[Any]:
    """tsquery that needs every term (one of its alternatives)."""
    return _combined(terms(words, binds), "&&")


def highlight_query(words: tuple[str, ...], binds: Binds = INLINE) -> ColumnElement[Any]:
    """tsquery of any word of any term, phrases undone (``hub_highlight_query``): what
    highlighting marks (``ts_headline`` with phrases is much slower)."""
    return _combined(terms(words, binds), "||", lambda term: func.hub_highlight_query(term))


def _combined(
    values: list[Any],
    operator: str,
    query_of: Callable[[Any], ColumnElement[Any]] = term_query,
) -> ColumnElement[Any]:
    query = query_of(values[0])
    for value in values[1:]:
        query = query.op(operator)(query_of(value))
    return query


def matches(
    vector: SQLColumnExpression[Any], words: tuple[str, ...], binds: Binds = INLINE
) -> ColumnElement[bool]:
    """Every term is in the document."""
    conditions = [vector.bool_op("@@")(term_query(term)) for term in terms(words, binds)]
    return and_(*conditions)


def score(
    vector: SQLColumnExpression[Any],
    words: tuple[str, ...],
    *,
    title: SQLColumnExpression[Any],
    tier: Any,
    binds: Binds = INLINE,
) -> ColumnElement[float]:
    """Relevance shown to clients: the tier (2 title, 1 title and summary, 0 elsewhere), plus
    half the weighted rank and half the title's similarity to the words as understood
    (together below 1)."""
    rank = func.ts_rank(
        literal_column(f"'{RANK_WEIGHTS}'::float4[]"), vector, all_words_query(words, binds), 32
    )
    phrase = binds.expression("words", words_of(words), String())
    similarity = func.word_similarity(phrase, title)
    return cast(tier + 0.5 * rank + 0.5 * similarity, Float)


def tiers(
    documents: tuple[Any, Any, Any], words: tuple[str, ...], binds: Binds = INLINE
) -> tuple[Tier, Tier, Tier]:
    """Tiers of relevance over the (title, title and summary, whole text) documents: the
    highest document all the terms match in."""
    in_title, in_head, anywhere = (matches(document, words, binds) for document in documents)
    return (
        Tier(2, in_title),
        Tier(1, and_(in_head, not_(in_title)), driving=in_head),
        Tier(0, and_(anywhere, not_(in_head)), driving=anywhere),
    )


def title_tier(
    vector: SQLColumnExpression[Any], words: tuple[str, ...], binds: Binds = INLINE
) -> ColumnElement[float]:
    """2 when all the words are in the document's title part (weight A), else 0."""
    title_only = func.ts_filter(vector, literal_column("'{a}'::\"char\"[]"))
    return case((title_only.bool_op("@@")(all_words_query(words, binds)), 2.0), else_=0.0)


def tier_value(tiers: tuple[Tier, ...]) -> ColumnElement[int]:
    """The tier of a row, as an expression (for rows already fetched)."""
    return case(*((tier.condition, tier.value) for tier in tiers[:-1]), else_=tiers[-1].value)


def headline(
    text: SQLColumnExpression[Any], words: tuple[str, ...], binds: Binds = INLINE
) -> ColumnElement[str]:
    """Fragments of ``text`` (HTML removed; its first ``HEADLINE_SOURCE`` characters: parsing
    is what highlighting costs) with the matched words in ``<mark>``."""
    plain = func.regexp_replace(func.left(text, HEADLINE_SOURCE), "<[^>]+>", " ", "g")
    return func.ts_headline(
        literal("indonesian").cast(REGCONFIG),
        plain,
        highlight_query(words, binds),
        HEADLINE_OPTIONS,
    )


def parameters(words: tuple[str, ...]) -> dict[str, Any]:
    """The named parameters the functions above give ``words`` (see ``hub/db/binds.py``)."""
    values: dict[str, Any] = {f"word_{index}": word for index, word in enumerate(words)}
    values["words"] = words_of(words)
    return values
