"""Secrets and their stored forms: passwords, access tokens, refresh tokens, API keys.

- Passwords: argon2id hashes (parameters from settings), computed off the event loop on a
  bounded pool of threads (:class:`PasswordWork`).
- Access tokens: JWT (HS256, ``HUB_SECRET_KEY``) naming the account and its login session,
  valid for ``access_token_ttl`` seconds.
- Refresh tokens: ``<session id>.<secret>``; only the SHA-256 of the secret is stored, and
  each use replaces it (rotation).
- API keys: ``hubk_<prefix>_<secret>``; the prefix is public (it names the key), only the
  SHA-256 of the whole key is stored.

No database access here; comparison of digests is constant-time.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import math
import secrets
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import RateLimited, Unauthenticated
from hub.settings import Settings

T = TypeVar("T")

API_KEY_MARK = "hubk_"
TOKEN_ISSUER = "hub"  # noqa: S105
ACCESS_TOKEN_ALGORITHM = "HS256"  # noqa: S105


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


class PasswordWork:
    """argon2 on ``workers`` threads of its own, with at most ``queue`` more checks waiting.

    Hashing is deliberately expensive: run on the event loop it would stall every request, and
    on the default thread pool enough guessers would take every core. Here it takes at most
    ``workers`` cores, and a check that would wait behind ``workers + queue`` others is refused
    at once (``RATE_LIMITED``, with an estimate of when there will be room) instead of queueing
    without bound.
    """

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self.busy = 0  # checks running or waiting
        self.seconds = 0.1  # moving average of one hash's duration
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="hub-argon2")

    @property
    def has_room(self) -> bool:
        return self.busy < self.capacity

    async def run(self, work: Callable[[], T]) -> T:
        if not self.has_room:
            wait = math.ceil(self.busy * self.seconds / self.workers)
            raise RateLimited(
                f"the server is busy checking passwords; try again in {max(wait, 1)} s",
                retry_after=wait,
            )
        self.busy += 1
        started = time.perf_counter()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            self.busy -= 1
            self.seconds += (time.perf_counter() - started - self.seconds) * 0.2


@functools.cache
def _password_work(workers: int, queue: int) -> PasswordWork:
    return PasswordWork(workers, queue)


def password_work(settings: Settings) -> PasswordWork:
    """The process's password pool (made at first use, one per configuration)."""
    return _password_work(settings.password_workers, settings.password_queue)


async def hash_password(settings: Settings, password: str) -> str:
    hasher = password_hasher(settings)
    return await password_work(settings).run(lambda: hasher.hash(password))


async def verify_password(settings: Settings, stored_hash: str, password: str) -> bool:
    hasher = password_hasher(settings)

    def verify() -> bool:
        try:
            return hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await password_work(settings).run(verify)


def needs_rehash(settings: Settings, stored_hash: str) -> bool:
    try:
        return password_hasher(settings).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


@dataclass(frozen=True)
class AccessClaims:
    account_id: int
    session_id: str
    expires_at: datetime


def issue_access_token(
    settings: Settings, *, account_id: int, session_id: str, now: datetime | None = None
) -> tuple[str, datetime]:
    issued_at = now or datetime.now(UTC)
    expires_at = issued_at + timedelta(seconds=settings.access_token_ttl)
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": str(account_id),
        "sid": session_id,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ACCESS_TOKEN_ALGORITHM)
    return token, expires_at.replace(microsecond=0)


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ACCESS_TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": ["exp", "sub", "sid", "iss"]},
        )
        return AccessClaims(
            account_id=int(claims["sub"]),
            session_id=str(uuid.UUID(str(claims["sid"]))),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the access token has expired; refresh it or log in again") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("the access token is not valid") from None


def new_session_id() -> str:
    return str(uuid.uuid4())


def new_refresh_token(session_id: str) -> tuple[str, str]:
    """A refresh token for the session and the digest to store."""
    secret = secrets.token_urlsafe(32)
    return f"{session_id}.{secret}", digest(secret)


def split_refresh_token(token: str) -> tuple[str, str] | None:
    """``(session id, secret)``, or ``None`` when the token is not shaped like one."""
    session_id, _, secret = token.strip().partition(".")
    try:
        return str(uuid.UUID(session_id)), secret
    except ValueError:
        return None


def new_api_key() -> tuple[str, str, str]:
    """``(prefix, key, digest)``: the key is shown once, the prefix names it."""
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    return prefix, key, digest(key)


def api_key_prefix(key: str) -> str | None:
    """The prefix of something shaped like an API key, else ``None``."""
    if not key.startswith(API_KEY_MARK):
        return None
    prefix, separator, secret = key[len(API_KEY_MARK) :].partition("_")
    return prefix if separator and prefix and secret else None
