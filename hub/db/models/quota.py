"""Quota counters shared by the server processes: requests and query cost per principal per
minute (used, and leased to processes), and the processes taking part (to split what is left
between them).

Both tables are UNLOGGED: counts are worth nothing after a database crash (a new minute
starts anyway), and skipping the write-ahead log keeps the exchanges cheap.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class QuotaCounter(Base):
    __tablename__ = "quota_counters"

    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix time // 60
    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. address:203.0.113.7
    requests: Mapped[int] = mapped_column(BigInteger)  # used, as reported
    cost: Mapped[int] = mapped_column(BigInteger)
    reserved_requests: Mapped[int] = mapped_column(BigInteger)  # leases outstanding, all processes
    reserved_cost: Mapped[int] = mapped_column(BigInteger)
    lease_requests: Mapped[int] = mapped_column(BigInteger)  # the lease the last exchange granted
    lease_cost: Mapped[int] = mapped_column(BigInteger)
    request_limit: Mapped[int] = mapped_column(BigInteger)  # 0: none
    cost_limit: Mapped[int] = mapped_column(BigInteger)
    hot: Mapped[bool]  # half of a limit used: every process is told the totals

    __table_args__ = (
        Index("ix_quota_counters_hot", "minute", postgresql_where=text("hot")),
        {"prefixes": ["UNLOGGED"]},
    )


class QuotaProcess(Base):
    __tablename__ = "quota_processes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = ({"prefixes": ["UNLOGGED"]},)
