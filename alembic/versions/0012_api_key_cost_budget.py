"""an API key's own budget per operation (query cost)

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-30 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("cost_budget", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("api_keys", "cost_budget")
