"""The dictionary of published words: counted when an article is indexed (or a whole archive
at once), used to correct misspelled search words.

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

from sqlalchemy import Select, Text, any_, exists, func, literal, select, text, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import Pool

from hub.db.models import SearchLexeme
from hub.workflow import PUBLIC_STATUSES

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


# Which articles a count covers: an SQL condition on ``articles``, from constants and integers.
PUBLISHED = "status IN ({})".format(
    ", ".join(f"'{status.value}'" for status in sorted(PUBLIC_STATUSES))
)
UNINDEXED = (
    f"{PUBLISHED} AND NOT EXISTS "  # noqa: S608 (constants)
    "(SELECT 1 FROM article_signatures AS s WHERE s.article_id = articles.id)"
)
WRITTEN = "hub_written_vector(title || ' ' || coalesce(summary, '') || ' ' || body)"

# ``ts_stat`` counts, per lexeme, the documents of a query's vectors (in C, in one pass: the
# same statement serves one article and a whole archive). Written forms are the lexemes of the
# text as written that start with a letter and are not stop words.
COUNT = """
INSERT INTO search_lexemes AS l (lexeme, documents, surface)
SELECT lexeme, sum(documents)::integer, bool_or(surface) FROM (
    SELECT word AS lexeme, ndoc AS documents, false AS surface
    FROM ts_stat('SELECT search_vector FROM articles WHERE {quoted_where}')
    UNION ALL
    SELECT word, 0, true FROM ts_stat('SELECT {quoted_written} FROM articles WHERE {quoted_where}')
    WHERE word ~ '^[[:alpha:]]' AND word <> ALL(hub_stopwords())
    UNION ALL
    SELECT '', count(*), false FROM articles WHERE {where}
) AS found
GROUP BY lexeme
ORDER BY lexeme  -- rows locked in one order: concurrent indexing cannot deadlock
ON CONFLICT (lexeme) DO UPDATE SET
    documents = l.documents + CASE WHEN :first THEN excluded.documents ELSE 0 END,
    surface = l.surface OR excluded.surface
"""


async def _count(session: AsyncSession, where: str, *, first: bool) -> None:
    """Count the lexemes of the articles ``where`` selects (an SQL condition made of this
    module's constants and integers)."""
    statement = COUNT.format(
        where=where,
        quoted_where=where.replace("'", "''"),  # inside the queries given to ts_stat
        quoted_written=WRITTEN.replace("'", "''"),
    )
    await session.execute(text(statement), {"first": first})


async def count_article_words(session: AsyncSession, *, article_id: int, first: bool) -> None:
    """Add a published article's lexemes to the dictionary; the first time (``first``) they
    and the corpus count one article more, a re-indexed article only adds lexemes new to it."""
    await _count(session, f"id = {int(article_id)}", first=first)


async def count_unindexed_words(session: AsyncSession) -> None:
    """Count the lexemes of every published article without a signature (not yet indexed)."""
    await _count(session, UNINDEXED, first=True)
