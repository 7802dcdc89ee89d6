"""Idempotency keys: the first result of a create, per principal, operation and key.

A retried create with the same key finds the row (waiting for a concurrent first attempt to
commit) and returns the entity it created instead of creating a second one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, created_at_column


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    principal: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (UniqueConstraint("principal", "operation", "key"),)
