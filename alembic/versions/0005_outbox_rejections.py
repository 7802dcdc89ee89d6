"""outbox: rejections are recorded too (the review queue streams them)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = (
    "'article.approved', 'article.corrected', 'article.retracted', 'article.submitted', "
    "'event.changed'"
)
AFTER = (
    "'article.approved', 'article.corrected', 'article.retracted', 'article.submitted', "
    "'article.rejected', 'event.changed'"
)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_outbox_kind"), "outbox", type_="check")
    op.create_check_constraint(op.f("ck_outbox_kind"), "outbox", f"kind IN ({AFTER})")


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'article.rejected'")
    op.drop_constraint(op.f("ck_outbox_kind"), "outbox", type_="check")
    op.create_check_constraint(op.f("ck_outbox_kind"), "outbox", f"kind IN ({BEFORE})")
