"""Persisted documents: find one by id or by its text's SHA-256, register one sent by a client
(automatic persisted queries), push a manifest's (trusted)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ARRAY, Integer, case, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import ApiKey, PersistedDocument


async def find(session: AsyncSession, document_id: str) -> Sequence[PersistedDocument]:
    """The documents with this id, or whose text has this SHA-256 (a manifest may give the
    same text other ids)."""
    statement = select(PersistedDocument).where(
        or_(PersistedDocument.id == document_id, PersistedDocument.sha256 == document_id)
    )
    return (await session.scalars(statement)).all()


async def register(session: AsyncSession, *, sha256: str, document: str) -> None:
    """A client's document under its SHA-256 (kept as it is when already known)."""
    await session.execute(
        insert(PersistedDocument)
        .values(id=sha256, sha256=sha256, document=document)
        .on_conflict_do_nothing(index_elements=["id"])
    )


async def push(
    session: AsyncSession, documents: Mapping[str, tuple[str, str]], *, api_key_id: int | None
) -> None:
    """Trust ``documents`` (id → (text, SHA-256 of the text)): for every caller, or for one
    more API key (a document already trusted for every caller stays so)."""
    keys = [] if api_key_id is None else [api_key_id]
    table = PersistedDocument.__table__
    statement = insert(PersistedDocument).values(
        [
            {"id": id_, "sha256": sha, "document": text, "trusted": True, "api_key_ids": keys}
            for id_, (text, sha) in documents.items()
        ]
    )
    current = table.c.api_key_ids
    given = statement.excluded.api_key_ids
    open_to_all = (table.c.trusted & (func.cardinality(current) == 0)) | (
        func.cardinality(given) == 0
    )
    merged = literal_column(
        "ARRAY(SELECT DISTINCT unnest(persisted_documents.api_key_ids || excluded.api_key_ids))",
        ARRAY(Integer),
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "document": statement.excluded.document,
                "sha256": statement.excluded.sha256,
                "trusted": True,
                "api_key_ids": case((open_to_all, literal_column("'{}'::integer[]")), else_=merged),
            },
        )
    )


async def api_key_id(session: AsyncSession, prefix: str) -> int | None:
    """The id of the API key with this prefix (the part of a key shown in listings)."""
    return await session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix))
