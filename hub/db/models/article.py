"""Articles, what they cover (regions, tags, election stages, people) and their workflow log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import (
    Base,
    created_at_column,
    one_of,
    trigram_index,
    updated_at_column,
)
from hub.vocabulary import (
    ArticleCategory,
    ArticleStatus,
    Language,
    PersonMention,
    TransitionKind,
)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="id", server_default="id")
    byline: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(24), default="news", server_default="news")
    source_agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    canonical_url: Mapped[str | None] = mapped_column(Text)
    featured_image_url: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retraction_reason: Mapped[str | None] = mapped_column(Text)
    correction_note: Mapped[str | None] = mapped_column(Text)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    view_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Listing order: the publication time, or the creation time while unpublished (never null).
    listed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), Computed("COALESCE(published_at, created_at)", persisted=True)
    )
    # Weighted search document (title > summary > body), kept current by a trigger (migration
    # 0002) when the text changes; see hub/db/search.py.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)
    # The same for the title alone, and for title and summary: the tiers of relevance.
    title_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)
    head_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)

    __table_args__ = (
        one_of("status", ArticleStatus, "status"),
        one_of("category", ArticleCategory, "category"),
        one_of("language", Language, "language"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("view_count >= 0", name="view_count_not_negative"),
        CheckConstraint(
            "status NOT IN ('approved', 'retracted') OR published_at IS NOT NULL",
            name="published_has_time",
        ),
        Index("ix_articles_status_published_at_id", "status", "published_at", "id"),
        Index("ix_articles_source_agency_id_published_at", "source_agency_id", "published_at"),
        # An import finds the agency's article with the same canonical URL (idempotency).
        Index("ix_articles_source_agency_id_canonical_url", "source_agency_id", "canonical_url"),
        Index("ix_articles_listed_at_id", "listed_at", "id"),
        Index("ix_articles_view_count_id", "view_count", "id"),
        # Visibility of an article reached by id (feeds, counts): read from the index alone.
        Index("ix_articles_id_status", "id", postgresql_include=["status"]),
        Index("ix_articles_search_vector", "search_vector", postgresql_using="gin"),
        trigram_index("ix_articles_title_trgm", "title"),
        Index("ix_articles_title_vector", "title_vector", postgresql_using="gin"),
        Index("ix_articles_head_vector", "head_vector", postgresql_using="gin"),
    )


article_regions = Table(
    "article_regions",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "region_code",
        ForeignKey("regions.code", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

# Which articles appear in each region's feed: the covered regions and every region above them,
# with the article's listing time. Maintained by triggers (migration 0002b); read-only here.
region_feed = Table(
    "region_feed",
    Base.metadata,
    Column(
        "region_code", String(13), ForeignKey("regions.code", ondelete="RESTRICT"), primary_key=True
    ),
    Column(
        "article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    Column("listed_at", DateTime(timezone=True), nullable=False),
    Index("ix_region_feed_region_code_listed_at", "region_code", "listed_at", "article_id"),
)

article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

article_election_stages = Table(
    "article_election_stages",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "stage_code",
        ForeignKey("election_stages.code", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class ArticlePerson(Base):
    """A person quoted or mentioned in an article, with the quote when there is one."""

    __tablename__ = "article_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quote: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        one_of("kind", PersonMention, "kind"),
        CheckConstraint("kind = 'quoted' OR quote IS NULL", name="quote_only_when_quoted"),
    )


class ArticleTransition(Base):
    """One workflow step of an article: who moved it from which status to which, and why."""

    __tablename__ = "article_transitions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    actor_api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    # Where imported content came from (its canonical URL, the archive or site imported).
    origin: Mapped[str | None] = mapped_column(Text)
    article_version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        one_of("kind", TransitionKind, "kind"),
        one_of("to_status", ArticleStatus, "to_status"),
        CheckConstraint(
            "from_status IS NULL OR from_status IN "
            "('draft', 'submitted', 'approved', 'rejected', 'retracted')",
            name="from_status",
        ),
    )
