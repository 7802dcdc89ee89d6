"""Administrative regions (Kemendagri codes): provinces and their regencies/cities.

A code is the dotted Kemendagri form (``64``, ``64.71``); a region's descendants are the
codes that start with its code and a dot, so subtree filters use a prefix index.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, one_of
from hub.vocabulary import RegionLevel


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )

    __table_args__ = (
        one_of("level", RegionLevel, "level"),
        Index("ix_regions_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}),
    )
