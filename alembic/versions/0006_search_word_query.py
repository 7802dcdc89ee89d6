"""search words: one lexeme when the stem and the plain form agree

A search word matches its ``indonesian`` stem or its plain unaccented form. When both are the
same lexeme (most proper names: *Samarinda*), the query ``'samarinda' | 'samarinda'`` matched
the same rows but the planner, taking the two alternatives as independent, estimated twice as
many: enough to pick a scan in listing order over the full-text index for a word of a few
hundred articles. The query now holds the lexeme once. Stored vectors are unchanged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEMMED = "plainto_tsquery('pg_catalog.indonesian'::regconfig, $1)"
PLAIN = "plainto_tsquery('pg_catalog.simple'::regconfig, hub_unaccent($1))"

UPGRADED = f"""
CREATE OR REPLACE FUNCTION hub_word_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN {STEMMED} = {PLAIN} THEN {PLAIN} ELSE {STEMMED} || {PLAIN} END
"""

PREVIOUS = f"""
CREATE OR REPLACE FUNCTION hub_word_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN {STEMMED} || {PLAIN}
"""


def upgrade() -> None:
    op.execute(UPGRADED)


def downgrade() -> None:
    op.execute(PREVIOUS)
