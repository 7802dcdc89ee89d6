"""What search and related coverage derive from published articles (migration 0010).

``search_lexemes``: every lexeme of the published articles' search documents, with the number
of articles containing it; ``surface`` marks written forms (not only stems), the words typo
correction may suggest. The row with the empty lexeme (``CORPUS``) counts the articles.
``article_signatures``: per published article, its most distinctive lexemes with their weights
and the names and numbers it mentions; ``article_key_terms``: the heaviest of those lexemes by
publication time, where related coverage finds its candidates. ``related_articles``: edges
between published articles of different agencies about the same event or story, both ways.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import REAL, Boolean, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, one_of
from hub.vocabulary import RelatedReason

CORPUS = ""  # the lexeme of the row counting the indexed articles


class SearchLexeme(Base):
    __tablename__ = "search_lexemes"

    lexeme: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column()
    surface: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index(
            "ix_search_lexemes_surface_trgm",
            "lexeme",
            postgresql_using="gin",
            postgresql_ops={"lexeme": "gin_trgm_ops"},
            postgresql_where=text("surface"),
        ),
    )


class ArticleSignature(Base):
    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column()
    event_id: Mapped[int | None] = mapped_column(index=True)
    # The original publication time: related coverage looks around it.
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    terms: Mapped[list[str]] = mapped_column(ARRAY(Text))  # heaviest first
    weights: Mapped[list[float]] = mapped_column(ARRAY(REAL))  # aligned with terms
    norm: Mapped[float] = mapped_column(REAL)  # Euclidean norm of the weights
    entities: Mapped[list[str]] = mapped_column(ARRAY(Text))  # names and numbers mentioned


class ArticleKeyTerm(Base):
    """One of the heaviest terms of a signature, with the article's publication time: the
    articles holding a term around a date are one index range."""

    __tablename__ = "article_key_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article_signatures.article_id", ondelete="CASCADE"), primary_key=True
    )


class RelatedArticle(Base):
    __tablename__ = "related_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(REAL)
    shared: Mapped[list[str]] = mapped_column(ARRAY(Text))  # entities both mention, rarest first

    __table_args__ = (
        one_of("reason", RelatedReason, "reason"),
        Index(
            "ix_related_articles_article_id_score",
            "article_id",
            text("score DESC"),
            text("related_id DESC"),
        ),
    )
