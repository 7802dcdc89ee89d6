"""Persisted GraphQL documents, shared by every server process.

A row is a document under the id clients send instead of its text: the SHA-256 of the text for
Apollo's automatic persisted queries (registered by clients as they go, ``trusted`` false) and
GraphQL Code Generator, or whatever id a Relay manifest gives (``hub operations push``,
``trusted`` true). ``sha256`` finds a document by its text whatever its id. A trusted document
with ``api_key_ids`` is trusted for those API keys only; with none, for every caller.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, created_at_column


class PersistedDocument(Base):
    __tablename__ = "persisted_documents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    document: Mapped[str] = mapped_column(Text)
    trusted: Mapped[bool] = mapped_column(server_default="false")
    api_key_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    created_at: Mapped[datetime] = created_at_column()
