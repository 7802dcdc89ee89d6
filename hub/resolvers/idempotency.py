"""Idempotent creates: the first request with a key creates, its retries get the same row."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import Viewer
from hub.db.repositories import idempotency as repository
from hub.db.repositories.idempotency import Claim
from hub.errors import ErrorCode, HubError, InvalidInput, NotFound

MAX_KEY_LENGTH = 200
M = TypeVar("M")


def request_fingerprint(request: Mapping[str, Any]) -> str:
    encoded = json.dumps(request, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


async def claim(
    session: AsyncSession,
    *,
    viewer: Viewer,
    operation: str,
    key: str | None,
    request: Mapping[str, Any],
) -> Claim | None:
    """Take ``key`` for this request (``None`` without a key).

    A claim that is not ``fresh`` belongs to an earlier request with the same input: the
    caller returns that request's entity. The same key with different input is an error.
    """
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"`idempotencyKey` must have 1 to {MAX_KEY_LENGTH} characters",
            field="idempotencyKey",
        )
    fingerprint = request_fingerprint(request)
    result = await repository.claim(
        session,
        principal=viewer.principal,
        operation=operation,
        key=key,
        request_hash=fingerprint,
    )
    if not result.fresh and result.request_hash != fingerprint:
        raise HubError(
            "this idempotency key was already used for a different request",
            field="idempotencyKey",
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    return result


async def claim_or_replay(
    session: AsyncSession,
    *,
    viewer: Viewer,
    operation: str,
    key: str | None,
    request: Mapping[str, Any],
    model: type[M],
) -> tuple[Claim | None, M | None]:
    """``(claim, None)``: go ahead and create; ``(claim, row)``: return the earlier ``row``."""
    result = await claim(session, viewer=viewer, operation=operation, key=key, request=request)
    if result is None or result.fresh:
        return result, None
    row = await session.get(model, result.entity_id) if result.entity_id is not None else None
    if row is None:
        raise NotFound(f"what {operation} created with this idempotency key has been deleted")
    return result, row


async def complete(session: AsyncSession, result: Claim | None, entity_id: int) -> None:
    if result is not None:
        await repository.complete(session, claim_id=result.id, entity_id=entity_id)
