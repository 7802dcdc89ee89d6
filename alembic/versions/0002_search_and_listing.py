"""search documents, stop words, listing order

Indonesian full-text search without files in the server's share directory: the stop words live
in the immutable function ``hub_stopwords()``, search documents combine the ``indonesian``
stemmer with ``simple`` + unaccent lexemes (proper names) and drop stop words (``ts_delete``).
Articles keep their document in ``search_vector`` (maintained by a trigger only when the text
changes); events, people and agencies are searched through expression indexes. Trigram indexes
give typo tolerance. ``articles.listed_at`` is the never-null listing order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:00:00+00:00
"""

from collections.abc import Sequence
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def stop_words() -> list[str]:
    text = resources.files("hub.data").joinpath("stopwords_id.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


FUNCTIONS = [
    # Accent folding usable in indexes: unaccent() itself is only STABLE.
    """
    CREATE FUNCTION hub_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1)
    """,
    # Stemmed (indonesian) and plain (simple, unaccented) lexemes of a text, without stop words.
    """
    CREATE FUNCTION hub_text_vector(text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ts_delete(
        to_tsvector('pg_catalog.indonesian'::regconfig, coalesce($1, ''))
        || to_tsvector('pg_catalog.simple'::regconfig, hub_unaccent(coalesce($1, ''))),
        hub_stopwords())
    """,
    # Weighted document: A (title / name) > B (summary) > C (body).
    """
    CREATE FUNCTION hub_search_document(text, text, text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(hub_text_vector($1), 'A')
        || setweight(hub_text_vector($2), 'B')
        || setweight(hub_text_vector($3), 'C')
    """,
    # One search word: its stem or its plain (unaccented) form.
    """
    CREATE FUNCTION hub_word_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN plainto_tsquery('pg_catalog.indonesian'::regconfig, $1)
        || plainto_tsquery('pg_catalog.simple'::regconfig, hub_unaccent($1))
    """,
    """
    CREATE FUNCTION hub_articles_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := hub_search_document(NEW.title, NEW.summary, NEW.body);
        RETURN NEW;
    END
    $$
    """,
]

EXPRESSION_INDEXES = {
    "ix_events_search": (
        "events",
        "hub_search_document(title, theme, "
        "(COALESCE(description, ''::text) || ' '::text) || COALESCE(venue, ''::text))",
    ),
    "ix_people_search": ("people", 'hub_search_document(name, "position", NULL::text)'),
    "ix_agencies_search": ("agencies", "hub_search_document(name, acronym, NULL::text)"),
}

TRIGRAM_INDEXES = {
    "ix_articles_title_trgm": ("articles", "title"),
    "ix_events_title_trgm": ("events", "title"),
    "ix_people_name_trgm": ("people", "name"),
    "ix_agencies_name_trgm": ("agencies", "name"),
}


def upgrade() -> None:
    words = ",".join(stop_words())
    op.execute(
        "CREATE FUNCTION hub_stopwords() RETURNS text[] "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN '{{{words}}}'::text[]"
    )
    for statement in FUNCTIONS:
        op.execute(statement)

    op.add_column(
        "articles",
        sa.Column(
            "listed_at",
            sa.DateTime(timezone=True),
            sa.Computed("COALESCE(published_at, created_at)", persisted=True),
            nullable=False,
        ),
    )
    op.add_column("articles", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    op.execute(
        "CREATE TRIGGER articles_search_vector BEFORE INSERT OR UPDATE OF title, summary, body "
        "ON articles FOR EACH ROW EXECUTE FUNCTION hub_articles_search_vector()"
    )
    op.execute("UPDATE articles SET search_vector = hub_search_document(title, summary, body)")
    op.create_index("ix_articles_listed_at_id", "articles", ["listed_at", "id"])
    op.create_index("ix_articles_view_count_id", "articles", ["view_count", "id"])
    op.create_index(
        "ix_articles_search_vector", "articles", ["search_vector"], postgresql_using="gin"
    )
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.create_index(
            name,
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    for name, (table, expression) in EXPRESSION_INDEXES.items():
        op.create_index(name, table, [sa.text(expression)], postgresql_using="gin")


def downgrade() -> None:
    for name, (table, _) in EXPRESSION_INDEXES.items():
        op.drop_index(name, table_name=table)
    for name, (table, _) in TRIGRAM_INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_index("ix_articles_search_vector", table_name="articles")
    op.drop_index("ix_articles_view_count_id", table_name="articles")
    op.drop_index("ix_articles_listed_at_id", table_name="articles")
    op.execute("DROP TRIGGER articles_search_vector ON articles")
    op.drop_column("articles", "search_vector")
    op.drop_column("articles", "listed_at")
    for function in (
        "hub_articles_search_vector()",
        "hub_word_query(text)",
        "hub_search_document(text, text, text)",
        "hub_text_vector(text)",
        "hub_unaccent(text)",
        "hub_stopwords()",
    ):
        op.execute(f"DROP FUNCTION {function}")
