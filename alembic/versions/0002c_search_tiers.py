"""search tiers: the title, and the title and summary, as their own indexed documents

Relevance puts articles whose title matches first, then those whose title and summary match,
then the rest, newest first within each tier; each tier is read through its own GIN index (or
the listing index, for common words), so ranking never visits every match. The trigger that
keeps ``search_vector`` current now keeps ``title_vector`` and ``head_vector`` too.

Revision ID: 0002c
Revises: 0002b
Create Date: 2026-11-22 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0002c"
down_revision: str | None = "0002b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION hub_articles_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.title_vector := hub_search_document(NEW.title, NULL, NULL);
    NEW.head_vector := NEW.title_vector || hub_search_document(NULL, NEW.summary, NULL);
    NEW.search_vector := NEW.head_vector || hub_search_document(NULL, NULL, NEW.body);
    RETURN NEW;
END
$$
"""

PREVIOUS_FUNCTION = """
CREATE OR REPLACE FUNCTION hub_articles_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := hub_search_document(NEW.title, NEW.summary, NEW.body);
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.add_column("articles", sa.Column("title_vector", postgresql.TSVECTOR(), nullable=True))
    op.add_column("articles", sa.Column("head_vector", postgresql.TSVECTOR(), nullable=True))
    op.execute(TRIGGER_FUNCTION)
    op.execute(
        "UPDATE articles SET title_vector = hub_search_document(title, NULL, NULL), "
        "head_vector = hub_search_document(title, summary, NULL)"
    )
    for column in ("title_vector", "head_vector"):
        op.create_index(f"ix_articles_{column}", "articles", [column], postgresql_using="gin")


def downgrade() -> None:
    for column in ("title_vector", "head_vector"):
        op.drop_index(f"ix_articles_{column}", table_name="articles")
    op.execute(PREVIOUS_FUNCTION)
    op.drop_column("articles", "head_vector")
    op.drop_column("articles", "title_vector")
