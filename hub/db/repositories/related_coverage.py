"""Related coverage: other agencies' articles about the same event or story as an article.

Decided when an article is indexed (``hub/db/repositories/article_index.py``), stored both ways
in ``related_articles`` and read in one statement (``related_pages``):

- **Signature.** Each published article keeps its ``SIGNATURE_TERMS`` most distinctive lexemes
  (stems, written forms and numbers of its whole text; weight (1 + ln tf) × idf, document
  frequencies from the dictionary of published words) and the entities it mentions: names
  (capitalised words inside the sentences of the summary and body; titles, honorifics, days
  and months left out) and numbers (canonical: ``434197``, ``2024-02-14``; not those of one
  or two digits).
- **Candidates.** Published articles of other agencies whose *original* publication time is
  within ``WINDOW`` of the article's and which share one of its ``KEY_TERMS`` heaviest terms
  (``article_key_terms``: an index range per term and window), or that report on the same
  event: relating an article costs what is published around its date, not the size of the
  archive.
- **Decision.** The same event: always related (``SAME_EVENT``, score 1 + text similarity).
  Otherwise ``SAME_STORY`` when the cosine of the two signatures and the rarity (summed idf)
  of the entities both mention reach one of ``STORY_THRESHOLDS``; two articles linked to
  different events are not the same story. Each edge keeps the shared entities, rarest first:
  why the two are related. An article keeps its ``MAX_EDGES`` best edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Select, TextClause, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from hub.auth import Viewer
from hub.db.keyset import Ordering, Page, PageRows
from hub.db.models import Article, RelatedArticle
from hub.db.repositories import pages
from hub.db.repositories.article import visible_to
from hub.db.search_language import honorifics
from hub.vocabulary import RelatedReason

WINDOW = timedelta(days=3)
SIGNATURE_TERMS = 60
KEY_TERMS = 16  # candidates share one of their KEY_TERMS heaviest terms
MAX_EDGES = 50
SHOWN_ENTITIES = 8
# SAME_STORY when (cosine ≥ first, shared entities' summed idf ≥ second) for one of the pairs.
STORY_THRESHOLDS = ((0.5, 0.0), (0.12, 15.0))
LEAST_SIMILARITY = min(cosine for cosine, _ in STORY_THRESHOLDS)
DAYS = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "ahad"]
# The cursor shape of related pages; the key columns are bound per query.
CURSOR = Ordering("related", (), True, (float, int))

# Inverse document frequency of a lexeme counted in ``documents`` articles, smoothed as if the
# corpus had ``PRIOR_DOCUMENTS`` more articles without it: on a young archive a word's count
# says little, and the first articles' signatures are not made of noise.
PRIOR_DOCUMENTS = 50
IDF = f"ln((corpus.documents + {PRIOR_DOCUMENTS} + 1.0) / (coalesce({{documents}}, 1) + 1.0))"
CORPUS = "(SELECT documents FROM search_lexemes WHERE lexeme = '') AS corpus(documents)"

# The statements below are built from this module's constants only (no request values).
SIGNATURE = text(f"""
INSERT INTO article_signatures AS s
    (article_id, agency_id, event_id, published_at, terms, weights, norm, entities)
SELECT a.id, a.source_agency_id, a.event_id, a.published_at,
       coalesce(top.terms, '{{}}'), coalesce(top.weights, '{{}}'), coalesce(top.norm, 0),
       hub_name_words(coalesce(a.summary, '') || ' ' || a.body, :not_names)
       || ARRAY(SELECT number
                FROM unnest(hub_number_lexemes(
                    a.title || ' ' || coalesce(a.summary, '') || ' ' || a.body, false)) AS number
                WHERE number ~ '[^0-9]' OR length(number) >= 3)
FROM articles AS a
CROSS JOIN LATERAL (
    SELECT array_agg(lexeme ORDER BY weight DESC, lexeme) AS terms,
           array_agg(weight::real ORDER BY weight DESC, lexeme) AS weights,
           sqrt(sum(weight * weight))::real AS norm
    FROM (
        SELECT v.lexeme,
               (1 + ln(coalesce(cardinality(v.positions), 1)))
               * {IDF.format(documents="l.documents")} AS weight
        FROM unnest(a.search_vector) AS v
        CROSS JOIN {CORPUS}
        LEFT JOIN search_lexemes AS l ON l.lexeme = v.lexeme
        ORDER BY weight DESC, v.lexeme
        LIMIT :terms
    ) AS weighted
) AS top
WHERE a.id = ANY(:article_ids)
ON CONFLICT (article_id) DO UPDATE SET
    agency_id = excluded.agency_id, event_id = excluded.event_id,
    published_at = excluded.published_at, terms = excluded.terms,
    weights = excluded.weights, norm = excluded.norm, entities = excluded.entities
""")  # noqa: S608

# The key terms of signatures: those of the given articles' current signatures go (before the
# signatures are replaced), those of their new ones come.
UNKEY = text("""
DELETE FROM article_key_terms AS k USING article_signatures AS s
WHERE s.article_id = ANY(:article_ids) AND k.article_id = s.article_id
  AND k.published_at = s.published_at AND k.term = ANY(s.terms[1:CAST(:key_terms AS integer)])
""")
KEY = text("""
INSERT INTO article_key_terms (term, published_at, article_id)
SELECT DISTINCT term, s.published_at, s.article_id
FROM article_signatures AS s, unnest(s.terms[1:CAST(:key_terms AS integer)]) AS term
WHERE s.article_id = ANY(:article_ids)
""")

FORGET = text(
    "DELETE FROM related_articles WHERE article_id = :article_id OR related_id = :article_id"
)

# Display of a shared entity: numbers from 1000 grouped as Indonesian writes them (years not).
SHOWN = (
    "CASE WHEN e ~ '^[0-9]{4,}$' AND e !~ '^(19|20)[0-9]{2}$' "
    "THEN translate(to_char(e::numeric, 'FM999G999G999G999G999'), ',', '.') ELSE e END"
)

RELATE = text(
    f"""
WITH me AS MATERIALIZED (SELECT * FROM article_signatures WHERE article_id = :article_id),
mine AS MATERIALIZED (
    SELECT term, weight FROM me, unnest(me.terms, me.weights) AS own(term, weight)
),
candidates AS (
    -- Published around the same time with one of the article's key terms (an index range per
    -- term: what is published around that date, whatever the size of the archive); the same
    -- story shares its names, places and numbers. And every article of the same event.
    SELECT k.article_id FROM me CROSS JOIN unnest(me.terms[1:{KEY_TERMS}]) AS key(term)
    JOIN article_key_terms AS k
      ON k.term = key.term
     AND k.published_at BETWEEN me.published_at - CAST(:window AS interval)
                            AND me.published_at + CAST(:window AS interval)
    UNION
    SELECT s.article_id FROM article_signatures AS s, me WHERE s.event_id = me.event_id
),
compared AS MATERIALIZED (
    SELECT c.article_id, c.terms, c.weights, c.norm, c.entities,
           coalesce(me.event_id = c.event_id, false) AS same_event,
           coalesce(me.event_id <> c.event_id, false) AS other_events
    FROM candidates JOIN article_signatures AS c USING (article_id) CROSS JOIN me
    WHERE c.article_id <> me.article_id AND c.agency_id <> me.agency_id
),
cosine AS (  -- the dot products of all candidates in one join
    SELECT compared.article_id,
           sum(mine.weight * theirs.weight) / nullif(max(me.norm) * max(compared.norm), 0)
           AS similarity
    FROM compared
    CROSS JOIN LATERAL unnest(compared.terms, compared.weights) AS theirs(term, weight)
    JOIN mine ON mine.term = theirs.term
    CROSS JOIN me
    GROUP BY compared.article_id
),
plausible AS (
    SELECT article_id, entities, same_event, coalesce(cosine.similarity, 0) AS similarity
    FROM compared LEFT JOIN cosine USING (article_id)
    WHERE same_event OR (NOT other_events AND coalesce(cosine.similarity, 0) >= {LEAST_SIMILARITY})
),
scored AS (  -- the shared entities of the plausible pairs only
    SELECT plausible.*, shared.entities AS shown, coalesce(shared.rarity, 0) AS rarity
    FROM plausible CROSS JOIN me
    CROSS JOIN LATERAL (
        SELECT array_agg({SHOWN} ORDER BY idf DESC, e) AS entities, sum(idf) AS rarity
        FROM (SELECT DISTINCT ON (lower(e)) e, {IDF.format(documents="l.documents")} AS idf
              FROM unnest(me.entities) AS e
              CROSS JOIN {CORPUS}
              LEFT JOIN search_lexemes AS l ON l.lexeme = lower(hub_unaccent(e))
              WHERE lower(e) IN (SELECT lower(f) FROM unnest(plausible.entities) AS f)) AS found
    ) AS shared
),
chosen AS (
    SELECT article_id,
           CASE WHEN same_event THEN 'same_event' ELSE 'same_story' END AS reason,
           (CASE WHEN same_event THEN 1 ELSE 0 END + similarity)::real AS score,
           coalesce(shown[1:{SHOWN_ENTITIES}], '{{}}') AS shared
    FROM scored
    WHERE same_event OR ({{story}})
    ORDER BY score DESC, article_id DESC
    LIMIT :edges
)
INSERT INTO related_articles AS r (article_id, related_id, reason, score, shared)
SELECT :article_id, article_id, reason, score, shared FROM chosen
UNION ALL
SELECT article_id, :article_id, reason, score, shared FROM chosen
ON CONFLICT (article_id, related_id) DO UPDATE
SET reason = excluded.reason, score = excluded.score, shared = excluded.shared
""".replace(  # noqa: S608
        "{story}",
        " OR ".join(
            f"(similarity >= {cosine} AND rarity >= {rarity})"
            for cosine, rarity in STORY_THRESHOLDS
        ),
    )
)


@dataclass(frozen=True)
class Related:
    article: Article
    score: float
    reason: RelatedReason
    shared: tuple[str, ...]


def not_names() -> list[str]:
    """Capitalised words that are not names: titles and honorifics, days (months are left out
    by ``hub_name_words`` itself)."""
    return sorted(honorifics() | set(DAYS))


def signature_statement() -> TextClause:
    return SIGNATURE.bindparams(
        bindparam("article_ids", type_=ARRAY(Integer)),
        bindparam("not_names", type_=ARRAY(Text)),
        bindparam("terms", type_=Integer),
    )


async def store_signatures(session: AsyncSession, *, article_ids: Sequence[int]) -> None:
    """Store (or replace) the signatures of published articles, and their key terms."""
    keys = {"article_ids": list(article_ids), "key_terms": KEY_TERMS}
    await session.execute(UNKEY, keys)
    await session.execute(
        signature_statement(),
        {"article_ids": list(article_ids), "not_names": not_names(), "terms": SIGNATURE_TERMS},
    )
    await session.execute(KEY, keys)


async def relate(session: AsyncSession, *, article_id: int) -> None:
    """Replace the article's edges (both ways) with those its signature finds now."""
    await session.execute(FORGET, {"article_id": article_id})
    await session.execute(RELATE, {"article_id": article_id, "window": WINDOW, "edges": MAX_EDGES})


# Related pages: best first (the stored score), the related article's id breaking ties; the
# cursor shape above (``CURSOR``) names the same ordering.
ORDERING = Ordering(
    CURSOR.name, (RelatedArticle.score, RelatedArticle.related_id), True, CURSOR.kinds
)


def statement(viewer: Viewer) -> Select[Any]:
    """The related articles ``viewer`` may read, with ``score``, ``reason`` and ``shared``
    (one article's: add ``of_article(key)``; paginate with ``ORDERING``)."""
    return cast(
        Select[Any],
        select(
            Article,
            RelatedArticle.score.label("score"),
            RelatedArticle.reason,
            RelatedArticle.shared,
        )
        .join(RelatedArticle, RelatedArticle.related_id == Article.id)
        .where(visible_to(viewer)),
    )


def of_article(key: Any) -> ColumnElement[bool]:
    """The edges of one article (a value, or the parent's key column of a LATERAL join)."""
    condition: ColumnElement[bool] = RelatedArticle.article_id == key
    return condition


async def related_pages(
    session: AsyncSession, *, viewer: Viewer, source_ids: Sequence[int], page: Page
) -> list[PageRows[Related]]:
    """One page of related coverage per source article id (aligned with ``source_ids``), in
    one statement."""
    return await pages.select_pages_by_parent(
        session,
        statement(viewer),
        Article,
        of_article,
        source_ids,
        Integer(),
        ORDERING,
        page,
        lambda row: Related(row[1], float(row.score), RelatedReason(row.reason), tuple(row.shared)),
    )
