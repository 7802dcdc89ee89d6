"""imports and the reference data real content needs

- elections, and the election each stage belongs to with its legal basis (the stages of the
  2024 regional elections are loaded from ``hub/data`` by ``hub seed``);
- agency types: their source, and a version and edit time for the edits of platform admins;
- all-day events: a date without a time, stored as midnight of Western Indonesia Time;
- imports: an article's featured image, its canonical URL looked up per agency, the kind of
  each history step (``imported`` among them, backfilled for the existing steps from their
  statuses) and where imported content came from; the outbox kinds of imports; where each
  ``hub import`` got to in its source (``import_checkpoints``).

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-30 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_DAY_AT_MIDNIGHT = (
    "NOT all_day OR (((starts_at AT TIME ZONE 'UTC') + interval '7:00:00')::time = '00:00' "
    "AND (ends_at IS NULL OR ((ends_at AT TIME ZONE 'UTC') + interval '7:00:00')::time = '00:00'))"
)

OUTBOX_KINDS_BEFORE = (
    "'article.approved', 'article.corrected', 'article.retracted', 'article.submitted', "
    "'article.rejected', 'event.changed'"
)
OUTBOX_KINDS_AFTER = (
    "'article.approved', 'article.corrected', 'article.retracted', 'article.submitted', "
    "'article.rejected', 'article.imported', 'article.backfilled', 'event.changed'"
)
TRANSITION_KINDS = (
    "'created', 'submitted', 'approved', 'rejected', 'reopened', 'retracted', 'corrected', "
    "'imported'"
)
# The kind of every step logged before kinds were recorded follows from its statuses.
KIND_OF_EXISTING_STEPS = """
UPDATE article_transitions SET kind = CASE
    WHEN from_status IS NULL THEN 'created'
    WHEN from_status = 'approved' AND to_status = 'approved' THEN 'corrected'
    WHEN to_status = 'draft' THEN 'reopened'
    ELSE to_status
END
"""

# The stages already loaded belong to the general election; `hub seed` completes the rows.
GENERAL_ELECTION = (
    "INSERT INTO elections (code, name, name_en, voting_day, legal_basis) "
    "SELECT 'pemilu_2024', 'Pemilihan Umum Serentak 2024', '2024 general election', "
    "DATE '2024-02-14', 'PKPU 3/2022' WHERE EXISTS (SELECT FROM election_stages)"
)


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("voting_day", sa.Date(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_elections")),
    )
    op.execute(GENERAL_ELECTION)
    op.add_column("election_stages", sa.Column("election_code", sa.String(length=64)))
    op.add_column("election_stages", sa.Column("legal_basis", sa.Text()))
    op.execute(
        "UPDATE election_stages SET election_code = 'pemilu_2024', legal_basis = 'PKPU 3/2022'"
    )
    op.alter_column("election_stages", "election_code", nullable=False)
    op.alter_column("election_stages", "legal_basis", nullable=False)
    op.create_foreign_key(
        op.f("fk_election_stages_election_code_elections"),
        "election_stages",
        "elections",
        ["election_code"],
        ["code"],
        ondelete="RESTRICT",
    )
    op.create_index(op.f("ix_election_stages_election_code"), "election_stages", ["election_code"])
    op.add_column("agency_types", sa.Column("source", sa.Text()))
    op.add_column(
        "agency_types", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("agency_types", sa.Column("edited_at", sa.DateTime(timezone=True)))
    op.add_column(
        "events", sa.Column("all_day", sa.Boolean(), server_default="false", nullable=False)
    )
    op.create_check_constraint(op.f("ck_events_all_day_at_midnight"), "events", ALL_DAY_AT_MIDNIGHT)
    op.add_column("articles", sa.Column("featured_image_url", sa.Text()))
    op.create_index(
        "ix_articles_source_agency_id_canonical_url",
        "articles",
        ["source_agency_id", "canonical_url"],
    )
    op.add_column("article_transitions", sa.Column("kind", sa.String(length=16)))
    op.add_column("article_transitions", sa.Column("origin", sa.Text()))
    op.execute(KIND_OF_EXISTING_STEPS)
    op.alter_column("article_transitions", "kind", nullable=False)
    op.create_check_constraint(
        op.f("ck_article_transitions_kind"), "article_transitions", f"kind IN ({TRANSITION_KINDS})"
    )
    op.drop_constraint(op.f("ck_outbox_kind"), "outbox", type_="check")
    op.create_check_constraint(op.f("ck_outbox_kind"), "outbox", f"kind IN ({OUTBOX_KINDS_AFTER})")
    op.create_table(
        "import_checkpoints",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("position", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_import_checkpoints_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source", "agency_id", name=op.f("pk_import_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("import_checkpoints")
    op.execute("DELETE FROM outbox WHERE kind IN ('article.imported', 'article.backfilled')")
    op.drop_constraint(op.f("ck_outbox_kind"), "outbox", type_="check")
    op.create_check_constraint(op.f("ck_outbox_kind"), "outbox", f"kind IN ({OUTBOX_KINDS_BEFORE})")
    op.drop_column("article_transitions", "origin")
    op.drop_column("article_transitions", "kind")  # drops its CHECK constraint too
    op.drop_index("ix_articles_source_agency_id_canonical_url", table_name="articles")
    op.drop_column("articles", "featured_image_url")
    op.drop_constraint(op.f("ck_events_all_day_at_midnight"), "events", type_="check")
    op.drop_column("events", "all_day")
    op.drop_column("agency_types", "edited_at")
    op.drop_column("agency_types", "version")
    op.drop_column("agency_types", "source")
    op.execute(
        "DELETE FROM article_election_stages WHERE stage_code IN "
        "(SELECT code FROM election_stages WHERE election_code <> 'pemilu_2024')"
    )
    op.execute("DELETE FROM election_stages WHERE election_code <> 'pemilu_2024'")
    op.drop_index(op.f("ix_election_stages_election_code"), table_name="election_stages")
    op.drop_constraint(
        op.f("fk_election_stages_election_code_elections"), "election_stages", type_="foreignkey"
    )
    op.drop_column("election_stages", "legal_basis")
    op.drop_column("election_stages", "election_code")
    op.drop_table("elections")
