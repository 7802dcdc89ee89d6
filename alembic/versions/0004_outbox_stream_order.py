"""outbox stream order: index on (txid, id)

Readers of the outbox stream rows in (writing transaction, id) order, below the oldest
transaction still in flight; this index serves that range scan.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_txid_id", "outbox", ["txid", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_txid_id", table_name="outbox")
