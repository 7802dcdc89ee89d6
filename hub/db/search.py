"""Indonesian full-text search: what users type → SQL conditions, scores and highlights.

Words are lower-cased, stop words (``hub/data/stopwords_id.txt``) dropped. Each remaining word
matches a document when its ``indonesian`` stem or its plain unaccented form (proper names:
the stemmer turns *Balikpapan* into *balikpap*) is in the document's vector (GIN index), or —
typo tolerance — when it is trigram-similar to a word of the title (GIN trigram index). All
words must match. Relevance is tiered — all words in the title, else in title and summary,
else anywhere — newest first within a tier; each tier has its own index, so ranking never
visits every match. The same SQL functions build the stored vectors (migration 0002).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
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
    or_,
)
from sqlalchemy.dialects.postgresql import REGCONFIG

from hub.db.binds import INLINE, Binds
from hub.db.keyset import Tier
from hub.errors import InvalidInput

MAX_WORDS = 8
MIN_TYPO_LENGTH = 4  # shorter words must match exactly (trigrams of short words say little)
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C (body), B (summary), A (title)
HEADLINE_SOURCE = 1500  # characters of a text that highlighting looks at
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2"
_WORD = re.compile(r"[\w]+(?:-[\w]+)*", re.UNICODE)


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("hub.data").joinpath("stopwords_id.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def search_words(text: str, *, argument: str = "search") -> tuple[str, ...]:
    """The searchable words of ``text`` (at most ``MAX_WORDS``), or an ``InvalidInput`` error."""
    words: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).strip("_")
        if word and word not in stop_words() and word not in words:
            words.append(word)
    if not words:
        raise InvalidInput(
            f"`{argument}` has no searchable word (only stop words or punctuation)",
            field=argument,
        )
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"`{argument}` has more than {MAX_WORDS} words", field=argument)
    return tuple(words)


def terms(words: tuple[str, ...], binds: Binds) -> list[Any]:
    """The words as SQL values, named ``word_0``, ``word_1``..."""
    return [binds.expression(f"word_{index}", word, String()) for index, word in enumerate(words)]


def word_query(term: Any) -> ColumnElement[Any]:
    return func.hub_word_query(term)


def all_words_query(words: tuple[str, ...], binds: Binds = INLINE) -> ColumnElement[Any]:
    """tsquery that needs every word (stem or plain form)."""
    return _combined(terms(words, binds), "&&")


def or_query(words: tuple[str, ...], binds: Binds = INLINE) -> ColumnElement[Any]:
    return _combined(terms(words, binds), "||")


def _combined(values: list[Any], operator: str) -> ColumnElement[Any]:
    query = word_query(values[0])
    for value in values[1:]:
        query = query.op(operator)(word_query(value))
    return query


def matches(
    vector: SQLColumnExpression[Any],
    words: tuple[str, ...],
    *,
    title: SQLColumnExpression[Any],
    fuzzy: bool = False,
    binds: Binds = INLINE,
) -> ColumnElement[bool]:
    """Every word is in the document, or — ``fuzzy``, typo tolerance — close to a word of the
    title. Fuzzy matching costs a trigram comparison per row, so lists run it only when the
    exact search finds nothing."""
    conditions = []
    for word, term in zip(words, terms(words, binds), strict=True):
        in_document = vector.bool_op("@@")(word_query(term))
        if fuzzy and len(word) >= MIN_TYPO_LENGTH:
            conditions.append(or_(in_document, term.bool_op("<%")(title)))
        else:
            conditions.append(in_document)
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
    half the weighted rank and half the title similarity (together below 1)."""
    rank = func.ts_rank(
        literal_column(f"'{RANK_WEIGHTS}'::float4[]"), vector, all_words_query(words, binds), 32
    )
    phrase = binds.expression("words", " ".join(words), String())
    similarity = func.word_similarity(phrase, title)
    return cast(tier + 0.5 * rank + 0.5 * similarity, Float)


def tiers(
    documents: tuple[Any, Any, Any],
    words: tuple[str, ...],
    *,
    title: SQLColumnExpression[Any],
    fuzzy: bool = False,
    binds: Binds = INLINE,
) -> tuple[Tier, Tier, Tier]:
    """Tiers of relevance over the (title, title and summary, whole text) documents: the
    highest document all the words match in."""
    in_title, in_head, anywhere = (
        matches(document, words, title=title, fuzzy=fuzzy, binds=binds) for document in documents
    )
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
        literal("indonesian").cast(REGCONFIG), plain, or_query(words, binds), HEADLINE_OPTIONS
    )


def parameters(words: tuple[str, ...]) -> dict[str, Any]:
    """The named parameters the functions above give ``words`` (see ``hub/db/binds.py``)."""
    values: dict[str, Any] = {f"word_{index}": word for index, word in enumerate(words)}
    values["words"] = " ".join(words)
    return values
