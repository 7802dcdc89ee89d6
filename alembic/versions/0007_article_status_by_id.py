"""articles: the status by id from an index (visibility checks without the heap)

Lists reached through another table — a region's feed, an agency's or a tag's articles — check
each article's visibility (its status) by id. Counting a province's 4,000 articles read 4,000
heap pages for that one column; with the status included in an index on the id the check is
an index-only scan (the visibility map is kept by autovacuum).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 06:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_id_status", "articles", ["id"], postgresql_include=["status"])


def downgrade() -> None:
    op.drop_index("ix_articles_id_status", table_name="articles")
