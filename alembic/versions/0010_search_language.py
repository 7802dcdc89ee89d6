"""search language: numbers as written, thesaurus terms, a dictionary of words, related coverage

- **Numbers as written.** Indonesian writes ``434.197`` (thousands), ``2,5`` (decimals),
  ``00.00`` (times) and ``14/2/2024`` (dates); PostgreSQL's parser keeps some of them whole and
  splits others. ``hub_number_lexemes`` reads every number of a text in a canonical form
  (``434197``, ``2,5``, ``00:00``, ``2024-02-14``; dates also as their day, month name and
  year, and ``14 Februari 2024`` as ``2024-02-14``); search documents carry those lexemes
  (``hub_text_vector``) and a search word that is a number asks for them (``hub_word_query``).
  Words joined by a slash (*Kodam VI/Mulawarman*, *kabupaten/kota*) are words of their own.
  Stored article vectors are recomputed and the expression indexes over
  ``hub_search_document`` rebuilt.
- **Terms.** ``hub_term_query`` reads one search term: alternatives separated by ``|`` (an
  abbreviation and its expansions, spelling variants), each a word or a phrase (words separated
  by spaces; stop words inside a phrase keep their place).
- **Stop words** (``hub_stopwords``) no longer drop the words of ``stopwords_id_kept.txt``:
  parts of names and terms (*tempat* pemungutan suara, daftar pemilih *tetap*).
- **Dictionary.** ``search_lexemes`` holds every lexeme of the published articles with the
  number of articles that contain it (the row ``''`` counts the articles): typo correction
  looks up unknown words among the written forms (``surface``) by trigram similarity, and
  related coverage weighs shared words by their rarity.
- **Related coverage.** ``article_signatures`` keeps, per published article, its most
  distinctive lexemes with their weights and its named entities (names, numbers);
  ``related_articles`` the edges found from them, both directions, with their reason.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-23 09:00:00+00:00
"""

from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def word_list(name: str) -> list[str]:
    text = resources.files("hub.data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def stop_words_function(words: list[str]) -> str:
    listed = ",".join(words)
    return (
        "CREATE OR REPLACE FUNCTION hub_stopwords() RETURNS text[] "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN '{{{listed}}}'::text[]"
    )


MONTHS = (
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
)
MONTH_ARRAY = "ARRAY[" + ", ".join(f"'{month}'" for month in MONTHS) + "]"

# A number expression as written: digits, possibly grouped or joined by . , : / -
NUMBER = r"(?<![0-9.,/:-])([0-9]+(?:[.,:/-][0-9]+)*)"
# A date written with its month's name: 14 Februari 2024, 5 Agt. 2023
NAMED_DATE = (
    r"(?<![0-9])([0-9]{1,2})\s+(jan|feb|peb|mar|apr|mei|jun|jul|agu|agt|sep|okt|nov|nop|des)"
    r"[a-z]*\.?\s+([0-9]{4})(?![0-9])"
)
# A capitalised word that does not start a sentence (names of people, places, bodies).
NAME = r"(?<=[^.!?:;\"“”\s] )([[:upper:]][[:alpha:]]*(?:-[[:alpha:]]+)*)"

PREVIOUS_TEXT_VECTOR = """
CREATE OR REPLACE FUNCTION hub_text_vector(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ts_delete(
    to_tsvector('pg_catalog.indonesian'::regconfig, coalesce($1, ''))
    || to_tsvector('pg_catalog.simple'::regconfig, hub_unaccent(coalesce($1, ''))),
    hub_stopwords())
"""

# Words joined by a slash are words of their own (PostgreSQL reads "Kodam VI/Mulawarman" and
# "kabupaten/kota" as file paths); dates written with slashes are in the number lexemes.
WRITTEN_VECTOR = """
CREATE FUNCTION hub_written_vector(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('pg_catalog.simple'::regconfig,
                   hub_unaccent(translate(coalesce($1, ''), '/', ' ')))
"""

TEXT_VECTOR = """
CREATE OR REPLACE FUNCTION hub_text_vector(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ts_delete(
    to_tsvector('pg_catalog.indonesian'::regconfig, translate(coalesce($1, ''), '/', ' '))
    || hub_written_vector($1),
    hub_stopwords())
    || hub_number_vector($1)
"""

STEMMED = "plainto_tsquery('pg_catalog.indonesian'::regconfig, $1)"
PLAIN = "plainto_tsquery('pg_catalog.simple'::regconfig, hub_unaccent($1))"

PREVIOUS_WORD_QUERY = f"""
CREATE OR REPLACE FUNCTION hub_word_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN {STEMMED} = {PLAIN} THEN {PLAIN} ELSE {STEMMED} || {PLAIN} END
"""

WORD_QUERY = f"""
CREATE OR REPLACE FUNCTION hub_word_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN $1 ~ '^[0-9]' THEN hub_number_query($1)
    WHEN {STEMMED} = {PLAIN} THEN {PLAIN}
    ELSE {STEMMED} || {PLAIN}
END
"""

FUNCTIONS = [
    # The months' names, January first.
    f"""
    CREATE FUNCTION hub_month_names() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN {MONTH_ARRAY}
    """,
    # Text of an HTML fragment (tags become spaces).
    """
    CREATE FUNCTION hub_plain_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(coalesce($1, ''), '<[^>]*>', ' ', 'g')
    """,
    # Month number of an Indonesian month name or its short form (Feb, Agt, Nop...).
    """
    CREATE FUNCTION hub_month_number(text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE left(lower($1), 3)
        WHEN 'jan' THEN 1 WHEN 'feb' THEN 2 WHEN 'peb' THEN 2 WHEN 'mar' THEN 3
        WHEN 'apr' THEN 4 WHEN 'mei' THEN 5 WHEN 'jun' THEN 6 WHEN 'jul' THEN 7
        WHEN 'agu' THEN 8 WHEN 'agt' THEN 8 WHEN 'sep' THEN 9 WHEN 'okt' THEN 10
        WHEN 'nov' THEN 11 WHEN 'nop' THEN 11 WHEN 'des' THEN 12
    END
    """,
    # A date as 2024-02-14, and (components) as its day, month name and year.
    """
    CREATE FUNCTION hub_date_forms(day integer, month integer, year integer, components boolean)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31 THEN
        ARRAY[lpad(year::text, 4, '0') || '-' || lpad(month::text, 2, '0') || '-'
              || lpad(day::text, 2, '0')]
        || CASE WHEN components
                THEN ARRAY[day::text, (hub_month_names())[month], year::text]
                ELSE '{}'::text[] END
    ELSE '{}'::text[] END
    """,
    # Canonical forms of one number expression as Indonesian writes it:
    # 14/2/2024, 14-02-24, 2024-02-14 -> 2024-02-14; 434.197 -> 434197; 1.234,5 -> 1234,5;
    # 00.00, 8:30 -> 00:00, 08:30; 2,5 and 2.5 -> 2,5; 2024 -> 2024; anything else: none.
    r"""
    CREATE FUNCTION hub_number_forms(expression text, components boolean) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN expression ~ '^[0-9]{1,2}[/-][0-9]{1,2}[/-]([0-9]{2}|[0-9]{4})$' THEN
            hub_date_forms(
                split_part(translate(expression, '-', '/'), '/', 1)::integer,
                split_part(translate(expression, '-', '/'), '/', 2)::integer,
                CASE WHEN length(split_part(translate(expression, '-', '/'), '/', 3)) = 2
                     THEN 2000 ELSE 0 END
                + split_part(translate(expression, '-', '/'), '/', 3)::integer,
                components)
        WHEN expression ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' THEN
            hub_date_forms(
                split_part(expression, '-', 3)::integer,
                split_part(expression, '-', 2)::integer,
                split_part(expression, '-', 1)::integer,
                components)
        WHEN expression ~ '^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$' THEN
            ARRAY[replace(expression, '.', '')]
        WHEN expression ~ '^([01]?[0-9]|2[0-4])[.:][0-5][0-9]$' THEN
            ARRAY[lpad(split_part(translate(expression, ':', '.'), '.', 1), 2, '0') || ':'
                  || split_part(translate(expression, ':', '.'), '.', 2)]
        WHEN expression ~ '^[0-9]+[.,][0-9]+$' THEN ARRAY[translate(expression, '.', ',')]
        WHEN expression ~ '^[0-9]+$' THEN ARRAY[expression]
        ELSE '{}'::text[]
    END
    """,
    # Every number of a text in canonical form (dates named by their month included).
    # PL/pgSQL: its plan is kept for the session (a SQL function with a subquery is planned
    # at every call, which made the trigger of a bulk load five times slower). Its names are
    # qualified: PostgreSQL 17 runs index maintenance (REINDEX, ANALYZE) with a search_path of
    # pg_catalog only, and PL/pgSQL resolves names when it runs.
    f"""
    CREATE FUNCTION hub_number_lexemes(text, components boolean) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
        RETURN ARRAY(
            SELECT DISTINCT form FROM (
                SELECT unnest(public.hub_number_forms(hit[1], $2)) AS form
                FROM regexp_matches(public.hub_plain_text($1), '{NUMBER}', 'g') AS hit
                UNION ALL
                SELECT unnest(public.hub_date_forms(
                    hit[1]::integer, public.hub_month_number(hit[2]), hit[3]::integer, false))
                FROM regexp_matches(lower(public.hub_plain_text($1)), '{NAMED_DATE}', 'g') AS hit
            ) AS forms
            ORDER BY form);
    END
    $$
    """,
    # The number lexemes of a text as a vector, each at position 1: '<lexeme>':1 (the lexemes
    # hold no quote; the colon stands apart so that the statement has no bind-parameter
    # look-alike).
    """
    CREATE FUNCTION hub_number_vector(text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        lexemes text[] := public.hub_number_lexemes($1, true);
    BEGIN
        IF cardinality(lexemes) = 0 THEN
            RETURN ''::tsvector;
        END IF;
        RETURN (SELECT string_agg(quote_literal(lexeme) || ':' || '1', ' ')
                FROM unnest(lexemes) AS lexeme)::tsvector;
    END
    $$
    """,
    # Any of these lexemes, as a query.
    """
    CREATE FUNCTION hub_lexemes_query(text[]) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT string_agg(quote_literal(lexeme), ' | ') FROM unnest($1) AS lexeme)::tsquery
    """,
    # A search word that is a number: its canonical forms and the token as PostgreSQL reads it
    # (a date: its canonical form, or its day and month written out, "27 November"); a number
    # without a canonical form: its parts.
    """
    CREATE FUNCTION hub_number_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN cardinality(hub_number_forms($1, false)) = 0
        THEN plainto_tsquery('pg_catalog.simple'::regconfig, $1)
        WHEN cardinality(hub_number_forms($1, true)) = 4
        THEN hub_lexemes_query(hub_number_forms($1, false))
            || tsquery_phrase(hub_lexemes_query(ARRAY[(hub_number_forms($1, true))[2]]),
                              hub_lexemes_query(ARRAY[(hub_number_forms($1, true))[3]]))
        ELSE hub_lexemes_query(ARRAY(
            SELECT unnest(hub_number_forms($1, false))
            UNION
            SELECT unnest(tsvector_to_array(to_tsvector('pg_catalog.simple'::regconfig, $1)))
            WHERE length(to_tsvector('pg_catalog.simple'::regconfig, $1)) = 1))
    END
    """,
    # Name-like words of a text as written: capitalised, not opening a sentence, not in
    # ``excluded`` (titles, days) nor a month or a stop word (compared lower-case, unaccented).
    f"""
    CREATE FUNCTION hub_name_words(text, excluded text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(
        SELECT word FROM (
            SELECT DISTINCT ON (key) word, key
            FROM (SELECT found[1] AS word, lower(hub_unaccent(found[1])) AS key
                  FROM regexp_matches(hub_plain_text($1), '{NAME}', 'g') AS found) AS written
            ORDER BY key, word
        ) AS names
        WHERE length(key) > 1 AND key <> ALL($2) AND key <> ALL(hub_stopwords())
          AND key <> ALL(hub_month_names())
        ORDER BY key)
    """,
    # A search term of alternatives separated by '|', each a word or a phrase; a stop word
    # inside a phrase is not searched but keeps its place (documents drop stop words).
    """
    CREATE FUNCTION hub_alternatives_query(term text) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        alternative text;
        word text;
        phrase tsquery;
        result tsquery;
        gap integer;
    BEGIN
        FOREACH alternative IN ARRAY string_to_array(term, '|') LOOP
            phrase := NULL;
            gap := 1;
            FOREACH word IN ARRAY string_to_array(alternative, ' ') LOOP
                IF word = '' THEN
                    CONTINUE;
                END IF;
                IF word = ANY(public.hub_stopwords()) THEN
                    gap := gap + 1;
                    CONTINUE;
                END IF;
                IF phrase IS NULL THEN
                    phrase := public.hub_word_query(word);
                ELSE
                    phrase := tsquery_phrase(phrase, public.hub_word_query(word), gap);
                END IF;
                gap := 1;
            END LOOP;
            IF phrase IS NOT NULL THEN
                result := CASE WHEN result IS NULL THEN phrase ELSE result || phrase END;
            END IF;
        END LOOP;
        RETURN result;  -- NULL when the term has no searchable word
    END
    $$
    """,
    # Any word of a search term (phrases undone): what highlighting marks. ts_headline with
    # phrase operators takes another, much slower, way through the text.
    """
    CREATE FUNCTION hub_any_word_query(term text) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        word text;
        result tsquery;
    BEGIN
        FOREACH word IN ARRAY string_to_array(translate(term, '|', ' '), ' ') LOOP
            IF word = '' OR word = ANY(public.hub_stopwords()) THEN
                CONTINUE;
            END IF;
            result := CASE WHEN result IS NULL THEN public.hub_word_query(word)
                           ELSE result || public.hub_word_query(word) END;
        END LOOP;
        RETURN result;
    END
    $$
    """,
    """
    CREATE FUNCTION hub_highlight_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN $1 ~ '[| ]' THEN hub_any_word_query($1) ELSE hub_word_query($1) END
    """,
    # One search term. A plain word (most terms) is an inlined SQL expression, which the
    # planner folds into a constant query cheaply; alternatives and phrases take the loop.
    """
    CREATE FUNCTION hub_term_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN $1 ~ '[| ]' THEN hub_alternatives_query($1) ELSE hub_word_query($1) END
    """,
]

FUNCTION_NAMES = [
    "hub_highlight_query(text)",
    "hub_any_word_query(text)",
    "hub_term_query(text)",
    "hub_alternatives_query(text)",
    "hub_name_words(text, text[])",
    "hub_number_query(text)",
    "hub_lexemes_query(text[])",
    "hub_number_vector(text)",
    "hub_number_lexemes(text, boolean)",
    "hub_number_forms(text, boolean)",
    "hub_date_forms(integer, integer, integer, boolean)",
    "hub_month_number(text)",
    "hub_plain_text(text)",
    "hub_month_names()",
]

# Indexes over hub_search_document(...): rebuilt when the function's result changes.
EXPRESSION_INDEXES = ("ix_events_search", "ix_people_search", "ix_agencies_search")


def recompute_documents() -> None:
    for index in EXPRESSION_INDEXES:
        op.execute(f"REINDEX INDEX {index}")
    # The trigger (0002c) recomputes the three vectors from the text.
    op.execute("UPDATE articles SET title = title")


def upgrade() -> None:
    kept = set(word_list("stopwords_id_kept.txt"))
    op.execute(stop_words_function([w for w in word_list("stopwords_id.txt") if w not in kept]))
    for statement in FUNCTIONS:
        op.execute(statement)
    op.execute(WRITTEN_VECTOR)
    op.execute(TEXT_VECTOR)
    op.execute(WORD_QUERY)
    recompute_documents()

    op.create_table(
        "search_lexemes",
        sa.Column("lexeme", sa.Text(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("surface", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("lexeme", name=op.f("pk_search_lexemes")),
    )
    op.create_index(
        "ix_search_lexemes_surface_trgm",
        "search_lexemes",
        ["lexeme"],
        postgresql_using="gin",
        postgresql_ops={"lexeme": "gin_trgm_ops"},
        postgresql_where=sa.text("surface"),
    )
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("weights", postgresql.ARRAY(sa.REAL()), nullable=False),
        sa.Column("norm", sa.REAL(), nullable=False),
        sa.Column("entities", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_signatures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signatures")),
    )
    op.create_index("ix_article_signatures_published_at", "article_signatures", ["published_at"])
    op.create_index("ix_article_signatures_event_id", "article_signatures", ["event_id"])
    op.create_table(
        "article_key_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article_signatures.article_id"],
            name=op.f("fk_article_key_terms_article_id_article_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "term", "published_at", "article_id", name=op.f("pk_article_key_terms")
        ),
    )
    op.create_table(
        "related_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("score", sa.REAL(), nullable=False),
        sa.Column("shared", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.CheckConstraint(
            "reason IN ('same_event', 'same_story')", name=op.f("ck_related_articles_reason")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_related_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["articles.id"],
            name=op.f("fk_related_articles_related_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "related_id", name=op.f("pk_related_articles")),
    )
    op.create_index(
        "ix_related_articles_article_id_score",
        "related_articles",
        ["article_id", sa.text("score DESC"), sa.text("related_id DESC")],
    )
    op.create_index("ix_related_articles_related_id", "related_articles", ["related_id"])


def downgrade() -> None:
    op.drop_table("related_articles")
    op.drop_table("article_key_terms")
    op.drop_table("article_signatures")
    op.drop_table("search_lexemes")
    op.execute(PREVIOUS_WORD_QUERY)
    op.execute(PREVIOUS_TEXT_VECTOR)
    op.execute(stop_words_function(word_list("stopwords_id.txt")))
    recompute_documents()
    for function in ["hub_written_vector(text)", *FUNCTION_NAMES]:
        op.execute(f"DROP FUNCTION {function}")
