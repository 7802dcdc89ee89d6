"""The dictionary of published words: counted when an article is indexed, used to correct
misspelled search words.

``search_lexemes`` (migration 0010) holds every lexeme of the published articles' search
documents — stems, written forms, numbers — with the number of articles containing it, and
the row ``CORPUS`` counting the articles. Only published text enters it, so a correction
never reveals a draft's words. A search word the dictionary does not know (neither its stem
nor its written form) is replaced by the most similar written form (trigram similarity, GIN
index; the more frequent one among equals) that is a few typing errors away.

Rows are never removed, so a word once known stays known: each process remembers the words it
has found known, per database (``KNOWN_WORDS``), and looks up only the others — a search of
known words costs no statement here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    Text,
    any_,
    exists,
    false,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import Pool

from hub.db.models import Article, SearchLexeme
from hub.db.models.search_index import CORPUS

CANDIDATES = 5  # most similar written forms considered per unknown word
KNOWN_WORDS = 100_000  # words remembered per database and process (then forgotten, all at once)
_known: WeakKeyDictionary[Pool, set[str]] = WeakKeyDictionary()  # per database: its pool


def allowed_edits(word: str) -> int:
    """How many typing errors a correction of ``word`` may assume: one in a short word, two
    from six letters, three from ten."""
    return 1 if len(word) < 6 else 2 if len(word) < 10 else 3


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count once): typing errors."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def candidates_statement(words: Sequence[str]) -> Select[Any]:
    """``(word, candidate, similarity)`` rows: for each of ``words`` the dictionary does not
    know (neither its stem nor its written form), its most similar written forms (trigram
    similarity over ``pg_trgm.similarity_threshold``, GIN index), the more frequent first among
    equals; a ``NULL`` candidate when none is similar."""
    typed = select(func.unnest(literal(list(words), ARRAY(Text))).label("word")).subquery("typed")
    lexemes = func.tsvector_to_array(func.hub_text_vector(typed.c.word), type_=ARRAY(Text))
    known = exists().where(SearchLexeme.lexeme == any_(lexemes))
    similarity = func.similarity(SearchLexeme.lexeme, typed.c.word)
    similar = (
        select(
            SearchLexeme.lexeme.label("candidate"),
            similarity.label("similarity"),
            SearchLexeme.documents,
        )
        .where(SearchLexeme.surface, SearchLexeme.lexeme.op("%")(typed.c.word))
        .order_by(similarity.desc(), SearchLexeme.documents.desc(), SearchLexeme.lexeme)
        .limit(CANDIDATES)
        .lateral("similar")
    )
    return (
        select(typed.c.word, similar.c.candidate, similar.c.similarity)
        .select_from(typed.outerjoin(similar, true()))
        .where(~known)
        .order_by(typed.c.word, similar.c.similarity.desc(), similar.c.documents.desc())
    )


async def corrections(session: AsyncSession, words: Sequence[str]) -> dict[str, str]:
    """The corrections of the ``words`` (lower-case, unaccented) the dictionary does not know:
    the most similar written form within the word's ``allowed_edits``."""
    known = _known.setdefault(session.get_bind().engine.pool, set())
    looked_up = [word for word in words if word not in known]
    if not looked_up:
        return {}
    rows = (await session.execute(candidates_statement(looked_up))).all()
    unknown = {row.word for row in rows}
    if len(known) > KNOWN_WORDS:
        known.clear()
    known.update(word for word in looked_up if word not in unknown)
    found: dict[str, str] = {}
    for row in rows:  # the most similar first
        if row.word in found or row.candidate is None:
            continue
        if edit_distance(row.word, row.candidate) <= allowed_edits(row.word):
            found[row.word] = row.candidate
    return found


def _article_text(article: type[Article]) -> object:
    return (
        article.title.concat(" ")
        .concat(func.coalesce(article.summary, ""))
        .concat(" ")
        .concat(article.body)
    )


async def count_article_words(session: AsyncSession, *, article_id: int, first: bool) -> None:
    """Add an article's lexemes to the dictionary; the first time (``first``) they and the
    corpus count one article more, a re-indexed article only adds lexemes new to it."""
    increment = 1 if first else 0
    indexed = select(func.unnest(func.tsvector_to_array(Article.search_vector)).label("lexeme"))
    stemmed = indexed.add_columns(false().label("surface")).where(Article.id == article_id)
    plain = func.hub_written_vector(_article_text(Article))
    written = (
        select(func.unnest(func.tsvector_to_array(plain)).label("lexeme"), true().label("surface"))
        .where(Article.id == article_id)
        .subquery("written")
    )
    surface = select(written.c.lexeme, written.c.surface).where(
        written.c.lexeme.op("~")("^[[:alpha:]]"),
        written.c.lexeme != any_(func.hub_stopwords()),
    )
    corpus = select(literal(CORPUS, String).label("lexeme"), false().label("surface"))
    found = union_all(stemmed, surface, corpus).subquery("found")
    rows = (
        select(
            found.c.lexeme,
            literal(1, Integer).label("documents"),
            func.bool_or(found.c.surface).cast(Boolean).label("surface"),
        )
        .group_by(found.c.lexeme)
        .order_by(found.c.lexeme)  # rows locked in one order: concurrent indexing cannot deadlock
    )
    statement = insert(SearchLexeme).from_select(["lexeme", "documents", "surface"], rows)
    statement = statement.on_conflict_do_update(
        index_elements=[SearchLexeme.lexeme],
        set_={
            "documents": SearchLexeme.documents + increment,
            "surface": SearchLexeme.surface | statement.excluded.surface,
        },
    )
    await session.execute(statement)
