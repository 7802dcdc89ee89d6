"""search tiers: indexes for articles whose title, or title and summary, match

Relevance puts articles whose title matches first, then those whose title and summary match,
then the rest, newest first within each tier; each tier is read through its own GIN index (or
the listing index, for common words), so ranking never visits every match.

Revision ID: 0002c
Revises: 0002b
Create Date: 2026-11-22 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002c"
down_revision: str | None = "0002b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_articles_title_search": "hub_search_document(title, NULL::text, NULL::text)",
    "ix_articles_head_search": "hub_search_document(title, summary, NULL::text)",
}


def upgrade() -> None:
    for name, expression in INDEXES.items():
        op.create_index(name, "articles", [sa.text(expression)], postgresql_using="gin")


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="articles")
