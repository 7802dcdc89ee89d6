"""login throttling and its audit log; quota counters shared by the server processes

Revision ID: 0008
Revises: 0011
Create Date: 2026-11-30 02:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "last_failure_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False
        ),
        sa.Column("blocked_until", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint("kind IN ('account', 'address')", name=op.f("ck_login_throttles_kind")),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        "ix_login_throttles_last_failure_at", "login_throttles", ["last_failure_at"], unique=False
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('wrong_password', 'unknown_account', 'disabled_account', 'throttled')",
            name=op.f("ck_login_failures_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_login_failures_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        op.f("ix_login_failures_account_id"), "login_failures", ["account_id"], unique=False
    )
    op.create_index("ix_login_failures_at", "login_failures", ["at"], unique=False)
    op.create_table(
        "quota_counters",
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("reserved_requests", sa.BigInteger(), nullable=False),
        sa.Column("reserved_cost", sa.BigInteger(), nullable=False),
        sa.Column("lease_requests", sa.BigInteger(), nullable=False),
        sa.Column("lease_cost", sa.BigInteger(), nullable=False),
        sa.Column("request_limit", sa.BigInteger(), nullable=False),
        sa.Column("cost_limit", sa.BigInteger(), nullable=False),
        sa.Column("hot", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("minute", "key", name=op.f("pk_quota_counters")),
        prefixes=["UNLOGGED"],
    )
    op.create_index(
        "ix_quota_counters_hot",
        "quota_counters",
        ["minute"],
        unique=False,
        postgresql_where=sa.text("hot"),
    )
    op.create_table(
        "quota_processes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_processes")),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("quota_processes")
    op.drop_index("ix_quota_counters_hot", table_name="quota_counters")
    op.drop_table("quota_counters")
    op.drop_index("ix_login_failures_at", table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_account_id"), table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_login_throttles_last_failure_at", table_name="login_throttles")
    op.drop_table("login_throttles")
