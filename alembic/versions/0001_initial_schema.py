"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:27:33.811472+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Search (trigram similarity, accent folding) needs these contrib extensions; both are
    # 'trusted', so a database owner may create them without superuser rights.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_platform_admin", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "password_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_index(
        "uq_accounts_email_lower", "accounts", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "agency_types",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_agency_types")),
    )
    op.create_table(
        "election_stages",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_election_stages_dates_in_order"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_election_stages")),
        sa.UniqueConstraint("ordinal", name=op.f("uq_election_stages_ordinal")),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=13), nullable=True),
        sa.CheckConstraint(
            "level IN ('province', 'regency', 'city')", name=op.f("ck_regions_level")
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["regions.code"],
            name=op.f("fk_regions_parent_code_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index(
        "ix_regions_code_pattern",
        "regions",
        ["code"],
        unique=False,
        postgresql_ops={"code": "text_pattern_ops"},
    )
    op.create_index(op.f("ix_regions_parent_code"), "regions", ["parent_code"], unique=False)
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name=op.f("uq_tags_slug")),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("acronym", sa.String(length=40), nullable=True),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=13), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("provincial_review", sa.Boolean(), server_default="false", nullable=False),
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
            ["parent_id"],
            ["agencies.id"],
            name=op.f("fk_agencies_parent_id_agencies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_agencies_region_code_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["agency_types.code"],
            name=op.f("fk_agencies_type_code_agency_types"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("slug", name=op.f("uq_agencies_slug")),
    )
    op.create_index(op.f("ix_agencies_parent_id"), "agencies", ["parent_id"], unique=False)
    op.create_index(op.f("ix_agencies_region_code"), "agencies", ["region_code"], unique=False)
    op.create_index(op.f("ix_agencies_type_code"), "agencies", ["type_code"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_api_keys_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_api_keys_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index(op.f("ix_api_keys_agency_id"), "api_keys", ["agency_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=160), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=13), nullable=True),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
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
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= starts_at", name=op.f("ck_events_time_range_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["agencies.id"],
            name=op.f("fk_events_organiser_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_events_region_code_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_index(op.f("ix_events_organiser_id"), "events", ["organiser_id"], unique=False)
    op.create_index(op.f("ix_events_region_code"), "events", ["region_code"], unique=False)
    op.create_index("ix_events_starts_at_id", "events", ["starts_at", "id"], unique=False)
    op.create_table(
        "memberships",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('contributor', 'editor', 'admin')", name=op.f("ck_memberships_role")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_memberships_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "agency_id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_agency_id"), "memberships", ["agency_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("region_codes", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('article.approved', 'article.corrected', 'article.retracted', 'article.submitted', 'event.changed')",
            name=op.f("ck_outbox_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_outbox_agency_id_agencies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    # xid8 of the writing transaction: readers stop below the oldest one still in flight.
    op.execute("ALTER TABLE outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"], unique=False)
    op.create_index("ix_outbox_entity", "outbox", ["entity_type", "entity_id"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
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
            name=op.f("fk_people_agency_id_agencies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("slug", name=op.f("uq_people_slug")),
    )
    op.create_index(op.f("ix_people_agency_id"), "people", ["agency_id"], unique=False)
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), server_default="id", nullable=False),
        sa.Column("byline", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=24), server_default="news", nullable=False),
        sa.Column("source_agency_id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
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
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.Column("correction_note", sa.Text(), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "category IN ('news', 'press_release', 'announcement', 'feature', 'opinion')",
            name=op.f("ck_articles_category"),
        ),
        sa.CheckConstraint("language IN ('id', 'en')", name=op.f("ck_articles_language")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected', 'retracted')",
            name=op.f("ck_articles_status"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'retracted') OR published_at IS NOT NULL",
            name=op.f("ck_articles_published_has_time"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_articles_version_positive")),
        sa.CheckConstraint("view_count >= 0", name=op.f("ck_articles_view_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts.id"],
            name=op.f("fk_articles_author_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_articles_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_agency_id"],
            ["agencies.id"],
            name=op.f("fk_articles_source_agency_id_agencies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
    )
    op.create_index(op.f("ix_articles_event_id"), "articles", ["event_id"], unique=False)
    op.create_index(
        op.f("ix_articles_source_agency_id"), "articles", ["source_agency_id"], unique=False
    )
    op.create_index(
        "ix_articles_source_agency_id_published_at",
        "articles",
        ["source_agency_id", "published_at"],
        unique=False,
    )
    op.create_index(
        "ix_articles_status_published_at_id",
        "articles",
        ["status", "published_at", "id"],
        unique=False,
    )
    op.create_table(
        "event_speakers",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "role IN ('opening', 'keynote', 'speaker', 'moderator')",
            name=op.f("ck_event_speakers_role"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_speakers_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_event_speakers_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", "role", name=op.f("pk_event_speakers")),
    )
    op.create_index(
        op.f("ix_event_speakers_person_id"), "event_speakers", ["person_id"], unique=False
    )
    op.create_table(
        "article_election_stages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("stage_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_election_stages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_code"],
            ["election_stages.code"],
            name=op.f("fk_article_election_stages_stage_code_election_stages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "stage_code", name=op.f("pk_article_election_stages")
        ),
    )
    op.create_index(
        op.f("ix_article_election_stages_stage_code"),
        "article_election_stages",
        ["stage_code"],
        unique=False,
    )
    op.create_table(
        "article_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "kind = 'quoted' OR quote IS NULL",
            name=op.f("ck_article_people_quote_only_when_quoted"),
        ),
        sa.CheckConstraint("kind IN ('quoted', 'mentioned')", name=op.f("ck_article_people_kind")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_people_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_article_people_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_people")),
    )
    op.create_index(
        op.f("ix_article_people_article_id"), "article_people", ["article_id"], unique=False
    )
    op.create_index(
        op.f("ix_article_people_person_id"), "article_people", ["person_id"], unique=False
    )
    op.create_table(
        "article_regions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_regions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_article_regions_region_code_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("article_id", "region_code", name=op.f("pk_article_regions")),
    )
    op.create_index(
        op.f("ix_article_regions_region_code"), "article_regions", ["region_code"], unique=False
    )
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
    )
    op.create_index(op.f("ix_article_tags_tag_id"), "article_tags", ["tag_id"], unique=False)
    op.create_table(
        "article_transitions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_api_key_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("article_version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN ('draft', 'submitted', 'approved', 'rejected', 'retracted')",
            name=op.f("ck_article_transitions_from_status"),
        ),
        sa.CheckConstraint(
            "to_status IN ('draft', 'submitted', 'approved', 'rejected', 'retracted')",
            name=op.f("ck_article_transitions_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["accounts.id"],
            name=op.f("fk_article_transitions_actor_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_article_transitions_actor_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_transitions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_transitions")),
    )
    op.create_index(
        op.f("ix_article_transitions_article_id"),
        "article_transitions",
        ["article_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_article_transitions_article_id"), table_name="article_transitions")
    op.drop_table("article_transitions")
    op.drop_index(op.f("ix_article_tags_tag_id"), table_name="article_tags")
    op.drop_table("article_tags")
    op.drop_index(op.f("ix_article_regions_region_code"), table_name="article_regions")
    op.drop_table("article_regions")
    op.drop_index(op.f("ix_article_people_person_id"), table_name="article_people")
    op.drop_index(op.f("ix_article_people_article_id"), table_name="article_people")
    op.drop_table("article_people")
    op.drop_index(
        op.f("ix_article_election_stages_stage_code"), table_name="article_election_stages"
    )
    op.drop_table("article_election_stages")
    op.drop_index(op.f("ix_event_speakers_person_id"), table_name="event_speakers")
    op.drop_table("event_speakers")
    op.drop_index("ix_articles_status_published_at_id", table_name="articles")
    op.drop_index("ix_articles_source_agency_id_published_at", table_name="articles")
    op.drop_index(op.f("ix_articles_source_agency_id"), table_name="articles")
    op.drop_index(op.f("ix_articles_event_id"), table_name="articles")
    op.drop_table("articles")
    op.drop_index(op.f("ix_people_agency_id"), table_name="people")
    op.drop_table("people")
    op.drop_index("ix_outbox_entity", table_name="outbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_memberships_agency_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index("ix_events_starts_at_id", table_name="events")
    op.drop_index(op.f("ix_events_region_code"), table_name="events")
    op.drop_index(op.f("ix_events_organiser_id"), table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_api_keys_agency_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_agencies_type_code"), table_name="agencies")
    op.drop_index(op.f("ix_agencies_region_code"), table_name="agencies")
    op.drop_index(op.f("ix_agencies_parent_id"), table_name="agencies")
    op.drop_table("agencies")
    op.drop_table("tags")
    op.drop_index(op.f("ix_regions_parent_code"), table_name="regions")
    op.drop_index(
        "ix_regions_code_pattern", table_name="regions", postgresql_ops={"code": "text_pattern_ops"}
    )
    op.drop_table("regions")
    op.drop_table("election_stages")
    op.drop_table("agency_types")
    op.drop_index("uq_accounts_email_lower", table_name="accounts")
    op.drop_table("accounts")
