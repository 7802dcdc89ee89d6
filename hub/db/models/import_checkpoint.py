"""Where an import (``hub import``) got to in its source, per source and agency.

An interrupted import resumes from here; a finished one keeps its position, so the next run
reads only what is new (lines appended to a file, posts modified on a site since).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, created_at_column, updated_at_column


class ImportCheckpoint(Base):
    __tablename__ = "import_checkpoints"

    source: Mapped[str] = mapped_column(Text, primary_key=True)  # e.g. `wordpress <REST root>`
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the source's own cursor
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
