"""Elections and the stages of their calendars (PKPU 3/2022 for Pemilu 2024, PKPU 2/2024 for
the 2024 regional elections); sources in ``hub/data/election_stages_2024.SOURCE.md``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class Election(Base):
    __tablename__ = "elections"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    voting_day: Mapped[date] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(Text)


class ElectionStage(Base):
    __tablename__ = "election_stages"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    election_code: Mapped[str] = mapped_column(
        ForeignKey("elections.code", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Order across every election's calendar: unique, so one ordering serves all lists.
    ordinal: Mapped[int] = mapped_column(unique=True)
    legal_basis: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )
