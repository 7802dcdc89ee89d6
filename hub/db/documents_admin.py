"""Operator tasks on persisted documents (the ``hub operations push`` command): read a
persisted-documents manifest and trust its documents.

Manifests come in two shapes: an object of id → document, as the Relay compiler
(``persistConfig``) and GraphQL Code Generator's client preset (``persistedDocuments``) write
them, and Apollo's ``apollo-persisted-query-manifest`` (``operations: [{id, body, ...}]``).
Every document must parse; a manifest with one that does not is refused whole.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, parse
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from hub.db.repositories import persisted_document
from hub.persisted import sha256_of

APOLLO_FORMAT = "apollo-persisted-query-manifest"
MAX_ID_LENGTH = 200


class ManifestError(Exception):
    """A manifest that cannot be pushed; the message says why, in one line."""


def read_manifest(text: str) -> dict[str, str]:
    """The manifest's documents by id."""
    try:
        manifest: Any = json.loads(text)
    except ValueError as error:
        raise ManifestError(f"not JSON: {error}") from None
    if isinstance(manifest, dict) and manifest.get("format") == APOLLO_FORMAT:
        operations = manifest.get("operations")
        if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
            raise ManifestError("`operations` must be a list of objects")
        manifest = {operation.get("id"): operation.get("body") for operation in operations}
    if not isinstance(manifest, dict) or not manifest:
        raise ManifestError(
            "expected an object of id → document (Relay, GraphQL Code Generator) "
            f"or an {APOLLO_FORMAT}"
        )
    documents: dict[str, str] = {}
    for document_id, document in manifest.items():
        if not isinstance(document_id, str) or not 0 < len(document_id) <= MAX_ID_LENGTH:
            raise ManifestError(f"ids must be strings of 1 to {MAX_ID_LENGTH} characters")
        if not isinstance(document, str):
            raise ManifestError(f"the document of {document_id} is not a string")
        try:
            parse(document)
        except GraphQLError as error:
            message = f"the document of {document_id} does not parse: {error.message}"
            raise ManifestError(message) from None
        documents[document_id] = document
    return documents


async def push_manifest(url: str, text: str, *, api_key_prefix: str | None = None) -> int:
    """Trust the manifest's documents (for every caller, or for the API key with this prefix);
    returns how many."""
    documents = read_manifest(text)
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            api_key_id = None
            if api_key_prefix is not None:
                api_key_id = await persisted_document.api_key_id(session, api_key_prefix)
                if api_key_id is None:
                    raise ManifestError(f"no API key with the prefix {api_key_prefix}")
            await persisted_document.push(
                session,
                {key: (document, sha256_of(document)) for key, document in documents.items()},
                api_key_id=api_key_id,
            )
    finally:
        await engine.dispose()
    return len(documents)
