"""region feed: which articles appear in each region's feed, in listing order

``region_feed`` holds one row per (region, article) for every region an article covers and
every region above it (a province's feed includes its regencies' and cities' articles), with
the article's ``listed_at``, so a region's newest articles are one index range scan. Triggers
keep it in step with ``article_regions`` (insert, delete) and ``articles.listed_at``.

Revision ID: 0002b
Revises: 0002
Create Date: 2026-11-22 03:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002b"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The regions an article appears under: the covered ones and their ancestors.
FEED_ROWS = """
    SELECT DISTINCT feed.code, ar.article_id, a.listed_at
    FROM {source} ar
    JOIN articles a ON a.id = ar.article_id
    JOIN regions r ON r.code = ar.region_code
    CROSS JOIN LATERAL (VALUES (r.code), (r.parent_code)) AS feed(code)
    WHERE feed.code IS NOT NULL
"""

FUNCTIONS = [
    f"""
    CREATE FUNCTION hub_region_feed_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO region_feed (region_code, article_id, listed_at)
        {FEED_ROWS.format(source="added")}
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE FUNCTION hub_region_feed_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM region_feed f USING (SELECT DISTINCT article_id FROM removed) gone
        WHERE f.article_id = gone.article_id;
        INSERT INTO region_feed (region_code, article_id, listed_at)
        {FEED_ROWS.format(source="article_regions")}
          AND ar.article_id IN (SELECT article_id FROM removed)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION hub_region_feed_relisted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE region_feed SET listed_at = NEW.listed_at WHERE article_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
]

TRIGGERS = [
    "CREATE TRIGGER region_feed_added AFTER INSERT ON article_regions "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION hub_region_feed_added()",
    "CREATE TRIGGER region_feed_removed AFTER DELETE ON article_regions "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION hub_region_feed_removed()",
    "CREATE TRIGGER region_feed_relisted AFTER UPDATE OF published_at, created_at ON articles "
    "FOR EACH ROW WHEN (OLD.listed_at IS DISTINCT FROM NEW.listed_at) "
    "EXECUTE FUNCTION hub_region_feed_relisted()",
]


def upgrade() -> None:
    op.create_table(
        "region_feed",
        sa.Column("region_code", sa.String(length=13), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_region_feed_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_region_feed_region_code_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("region_code", "article_id", name=op.f("pk_region_feed")),
    )
    op.create_index(
        "ix_region_feed_region_code_listed_at",
        "region_feed",
        ["region_code", "listed_at", "article_id"],
    )
    op.create_index(op.f("ix_region_feed_article_id"), "region_feed", ["article_id"])
    for statement in FUNCTIONS + TRIGGERS:
        op.execute(statement)
    op.execute(
        "INSERT INTO region_feed (region_code, article_id, listed_at) "
        + FEED_ROWS.format(source="article_regions")
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER region_feed_relisted ON articles")
    op.execute("DROP TRIGGER region_feed_removed ON article_regions")
    op.execute("DROP TRIGGER region_feed_added ON article_regions")
    for function in ("relisted", "removed", "added"):
        op.execute(f"DROP FUNCTION hub_region_feed_{function}()")
    op.drop_index(op.f("ix_region_feed_article_id"), table_name="region_feed")
    op.drop_index("ix_region_feed_region_code_listed_at", table_name="region_feed")
    op.drop_table("region_feed")
