"""The outbox / change log: one row per published change, written in the changing transaction.

``id`` is monotonic in insertion order but not in commit order; ``txid`` (the writing
transaction) lets a reader stop below the oldest transaction still in flight, so it never
skips a row that commits later with a smaller id. Readers stream rows in ``(txid, id)``
order: the rows below that horizon are always a prefix of that order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from hub.db.base import Base, created_at_column, one_of
from hub.vocabulary import OutboxKind


class Xid8(UserDefinedType[int]):
    """PostgreSQL ``xid8``: a 64-bit transaction id."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


ischema_names["xid8"] = Xid8  # lets reflection (migration checks) recognise the type


class OutboxEntry(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    region_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    txid: Mapped[int] = mapped_column(Xid8(), server_default=text("pg_current_xact_id()"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        one_of("kind", OutboxKind, "kind"),
        Index("ix_outbox_entity", "entity_type", "entity_id"),
        Index("ix_outbox_created_at", "created_at"),
        Index("ix_outbox_txid_id", "txid", "id"),
    )
