"""Persisted operations: turn a GraphQL request that names its document by id into the
document, and decide which documents may run.

``PersistedDocuments.document(...)`` is the one step every transport takes (HTTP GET and POST,
WebSocket ``subscribe``, server-sent events) before parsing: it returns the text to execute or
raises :class:`DocumentRefused`. A request names a stored document by
``extensions.persistedQuery {version: 1, sha256Hash}`` (Apollo's automatic persisted queries;
GraphQL Code Generator), ``documentId`` (``sha256:<hex>`` or a manifest's id) or ``doc_id``
(Relay). ``HUB_PERSISTED_QUERIES`` decides the rest:

- ``automatic`` (the default): any document runs; one sent with its hash is stored, so the
  next request (from any process) may send the hash alone. An unknown hash is
  ``PERSISTED_QUERY_NOT_FOUND``, which tells Apollo Client to send the text once.
- ``trusted``: only documents pushed from a manifest (``hub operations push``) run, whether
  sent by id or as text; a document pushed for given API keys runs for those keys only.
  Anything else is ``PERSISTED_QUERY_NOT_IN_LIST`` (403).
- ``off``: documents by id are ``PERSISTED_QUERY_NOT_SUPPORTED`` (clients then send text).

Documents live in PostgreSQL (``persisted_documents``: shared by every process) with a bounded
in-process cache in front (``HUB_PERSISTED_QUERIES_CACHE_SIZE`` documents).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, parse

from hub.auth import Viewer
from hub.db.repositories import persisted_document
from hub.db.session import SessionFactory
from hub.settings import PersistedQueries, Settings

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
SHA256_PREFIX = "sha256:"


class DocumentRefused(Exception):
    """No document to run: its code, message and the HTTP status that goes with it (Apollo
    clients expect 200 for the two codes that make them fall back)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Stored:
    document: str
    trusted: bool
    api_key_ids: frozenset[int]

    def runs_for(self, viewer: Viewer) -> bool:
        """Trusted for this viewer (for everyone when no API key is named)."""
        return self.trusted and (not self.api_key_ids or viewer.api_key_id in self.api_key_ids)


class PersistedDocuments:
    def __init__(self, settings: Settings, sessions: SessionFactory | None = None) -> None:
        self.mode = settings.persisted_queries
        self.cache_size = settings.persisted_queries_cache_size
        # No document over the operation limit is kept, whichever transport registers it.
        self.max_characters = settings.max_query_characters
        self.sessions = sessions  # set when the application starts
        self._cache: OrderedDict[str, Stored | None] = OrderedDict()

    async def from_payload(self, payload: Mapping[str, Any], viewer: Viewer) -> str | None:
        """:meth:`document` for a GraphQL request as a JSON object (a WebSocket ``subscribe``
        payload, a server-sent events request body)."""
        query = payload.get("query")
        if query is not None and not isinstance(query, str):
            raise DocumentRefused(400, "BAD_REQUEST", "`query` must be a string")
        extensions = payload.get("extensions")
        return await self.document(
            query=query,
            extensions=extensions if isinstance(extensions, Mapping) else None,
            document_id=document_id_of(payload),
            viewer=viewer,
        )

    async def document(
        self,
        *,
        query: str | None,
        extensions: Mapping[str, Any] | None,
        document_id: str | None,
        viewer: Viewer,
    ) -> str | None:
        """The document to execute (``None``: the request has none), or :class:`DocumentRefused`."""
        named = persisted_hash(extensions)
        by_id = named is not None or document_id is not None
        if by_id and self.mode is PersistedQueries.OFF:
            raise DocumentRefused(200, NOT_SUPPORTED, "PersistedQueryNotSupported")
        if named is not None and query is not None:  # registering, or text with its hash
            if sha256_of(query) != named:
                raise DocumentRefused(400, HASH_MISMATCH, "provided sha does not match query")
            if self.mode is PersistedQueries.AUTOMATIC:
                await self.register(named, query)
        elif by_id:
            if query is not None:
                raise DocumentRefused(400, "BAD_REQUEST", "Send `query` or `documentId`, not both")
            wanted = named or str(document_id).removeprefix(SHA256_PREFIX)
            stored = await self.lookup(wanted)
            if stored is None:
                raise DocumentRefused(200, NOT_FOUND, "PersistedQueryNotFound")
            if self.mode is PersistedQueries.TRUSTED and not await self.runs(wanted, viewer):
                raise not_in_list()
            return stored.document
        trusted = self.mode is not PersistedQueries.TRUSTED or query is None
        if not trusted and not await self.runs(sha256_of(str(query)), viewer):
            raise not_in_list()
        return query

    async def lookup(self, document_id: str, *, fresh: bool = False) -> Stored | None:
        """The document with this id or hash, from the cache (unless ``fresh``) or the
        database."""
        if document_id in self._cache and not fresh:
            self._cache.move_to_end(document_id)
            return self._cache[document_id]
        async with self._session() as session:
            rows = await persisted_document.find(session, document_id)
        if not rows:
            return None  # not remembered: it may be registered or pushed at any moment
        trusted = [row for row in rows if row.trusted]
        everyone = any(not row.api_key_ids for row in trusted)
        keys = frozenset(key for row in trusted for key in row.api_key_ids)
        stored = Stored(rows[0].document, bool(trusted), frozenset() if everyone else keys)
        if stored.trusted or self.mode is PersistedQueries.AUTOMATIC:
            self._remember(document_id, stored)  # in trusted mode, until it is pushed
        return stored

    async def runs(self, document_id: str, viewer: Viewer) -> bool:
        """Trusted for ``viewer``; a refusal is checked against the database again (a
        manifest pushed since may have opened it)."""
        for fresh in (False, True):
            stored = await self.lookup(document_id, fresh=fresh)
            if stored is not None and stored.runs_for(viewer):
                return True
        return False

    async def register(self, sha256: str, query: str) -> None:
        if sha256 in self._cache or len(query) > self.max_characters:
            return
        try:
            parse(query)
        except GraphQLError:
            return  # not worth keeping: its execution reports the syntax error
        async with self._session() as session, session.begin():
            await persisted_document.register(session, sha256=sha256, document=query)
        self._remember(sha256, Stored(query, False, frozenset()))

    def _remember(self, key: str, stored: Stored) -> None:
        self._cache[key] = stored
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _session(self) -> Any:
        if self.sessions is None:
            raise RuntimeError("the application has not started (lifespan not run)")
        return self.sessions()


def persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The SHA-256 named by ``extensions.persistedQuery`` (checked), or ``None``."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
        raise DocumentRefused(400, "BAD_REQUEST", "Unsupported persisted query version")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64:
        raise DocumentRefused(400, "BAD_REQUEST", "`persistedQuery.sha256Hash` must be a SHA-256")
    return sha256.lower()


def document_id_of(fields: Mapping[str, Any]) -> str | None:
    """``documentId`` (the GraphQL-over-HTTP persisted documents draft) or ``doc_id`` (Relay)."""
    value = fields.get("documentId", fields.get("doc_id"))
    if value is not None and not isinstance(value, str):
        raise DocumentRefused(400, "BAD_REQUEST", "`documentId` must be a string")
    return value


def not_in_list() -> DocumentRefused:
    return DocumentRefused(
        403, NOT_IN_LIST, "Only trusted documents run here: this one is not in the list"
    )
