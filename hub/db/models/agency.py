"""Agencies (PR offices, election bodies, media partners) and their types."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, created_at_column, search_index, trigram_index, updated_at_column


class AgencyType(Base):
    """Reference data (``hub/data/agency_types.csv``) that platform admins may also edit."""

    __tablename__ = "agency_types"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when a platform admin created or changed the row: reference loads leave it alone.
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(Text)
    acronym: Mapped[str | None] = mapped_column(String(40))
    type_code: Mapped[str] = mapped_column(
        ForeignKey("agency_types.code", ondelete="RESTRICT"), index=True
    )
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL"), index=True
    )
    website: Mapped[str | None] = mapped_column(Text)
    # A regency/city agency may ask the provincial coordinating office to review its submissions.
    provincial_review: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        search_index("ix_agencies_search", "hub_search_document(name, acronym, NULL::text)"),
        trigram_index("ix_agencies_name_trgm", "name"),
    )
