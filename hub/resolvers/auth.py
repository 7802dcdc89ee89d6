"""Authentication: who a request's credentials name, and the login session lifecycle.

``authenticate`` is the single entry point for HTTP (the ``Authorization`` header) and
WebSocket (the ``authorization`` field of the ``connection_init`` payload): no credentials
give the anonymous viewer; a bad, expired or revoked credential raises ``Unauthenticated``,
never falls back to anonymous.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub import credentials
from hub.auth import ANONYMOUS, Viewer
from hub.db.models import Account
from hub.db.repositories import account as accounts
from hub.db.repositories import api_key as api_keys
from hub.db.repositories import auth_session as auth_sessions
from hub.db.repositories import clock
from hub.db.repositories import login_throttle as throttles
from hub.db.session import SessionFactory
from hub.errors import ErrorCode, HubError, RateLimited, Unauthenticated
from hub.resolvers import login_throttle
from hub.resolvers.guard import require_account, telling_when_to_retry
from hub.resolvers.validation import Checker
from hub.settings import Settings
from hub.vocabulary import ApiKeyScope, LoginFailure

if TYPE_CHECKING:
    from hub.context import Context

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class SignedIn:
    """What a login or refresh hands out."""

    account: Account
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


async def authenticate(
    sessions: SessionFactory, settings: Settings, authorization: str | None
) -> Viewer:
    """The viewer named by ``Bearer <access token | API key>``; anonymous when absent."""
    if authorization is None or not authorization.strip():
        return ANONYMOUS
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthenticated("credentials must be given as `Bearer <access token or API key>`")
    if (prefix := credentials.api_key_prefix(credential)) is not None:
        return await _api_key_viewer(sessions, prefix, credential)
    claims = credentials.read_access_token(settings, credential)
    async with sessions() as session:
        account = await accounts.get_signed_in(
            session, account_id=claims.account_id, session_id=claims.session_id
        )
        if account is None:
            raise Unauthenticated(
                "the login session has ended (logout, password change or disabled account); "
                "log in again"
            )
        return await account_viewer(session, account, session_id=claims.session_id)


async def account_viewer(
    session: AsyncSession, account: Account, *, session_id: str | None
) -> Viewer:
    return Viewer(
        account_id=account.id,
        session_id=session_id,
        is_platform_admin=account.is_platform_admin,
        roles=await accounts.roles(session, account_id=account.id),
        review_agency_ids=await accounts.review_agency_ids(session, account_id=account.id),
    )


async def _api_key_viewer(sessions: SessionFactory, prefix: str, key: str) -> Viewer:
    async with sessions() as session, session.begin():
        row = await api_keys.get_usable(session, prefix=prefix)
        if row is None or not credentials.same_digest(key, row.key_hash):
            raise Unauthenticated("the API key is not valid, has expired or was revoked")
        await api_keys.record_use(session, key_id=row.id)
    return Viewer(
        api_key_id=row.id,
        api_key_agency_id=row.agency_id,
        scopes=frozenset(ApiKeyScope(scope) for scope in row.scopes),
        cost_budget=row.cost_budget,
    )


def invalid_credentials() -> HubError:
    return HubError("wrong e-mail or password", code=ErrorCode.INVALID_CREDENTIALS)


@functools.cache
def _decoy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    settings = Settings(
        argon2_time_cost=time_cost, argon2_memory_kib=memory_kib, argon2_parallelism=parallelism
    )
    return credentials.password_hasher(settings).hash("decoy password, never matches")


async def login(ctx: Context, *, email: str, password: str) -> SignedIn:
    """Check the password, throttled (``hub.resolvers.login_throttle``): a refused attempt is
    ``RATE_LIMITED`` with the seconds to wait. Every failure is audited. No database
    connection is held while a password is hashed."""
    settings = ctx.settings
    counted = login_throttle.subjects(email, ctx.client_address)
    with telling_when_to_retry(ctx):
        await _charge(ctx, counted, email)
        async with ctx.reads() as session:
            account = await accounts.get_by_email(session, email=email)
        failure = await _check_password(settings, account, password)
        if failure is not None:
            await _log_failure(ctx, email, account, failure)
            raise invalid_credentials()
        assert account is not None
        rehashed = (
            await credentials.hash_password(settings, password)
            if credentials.needs_rehash(settings, account.password_hash)
            else None
        )
    async with ctx.sessions() as session, session.begin():
        await login_throttle.refund(session, settings, counted)
        signed_in = await session.get(Account, account.id)
        assert signed_in is not None  # accounts are never deleted
        if rehashed is not None:
            signed_in.password_hash = rehashed
        return await _open_session(session, settings, signed_in)


async def _charge(ctx: Context, counted: login_throttle.Subjects, email: str) -> None:
    """Count a password check against its subjects, or refuse it (``RATE_LIMITED``) when one
    must still wait or the process's password pool is full."""
    work = credentials.password_work(ctx.settings)
    if not work.has_room:
        await work.run(lambda: None)  # refused, with an estimate of when there is room
    async with ctx.sessions() as session, session.begin():
        wait = await login_throttle.charge(session, ctx.settings, counted)
        if wait is not None:
            await throttles.log_failure(
                session,
                email=email,
                account_id=None,
                address=ctx.client_address,
                reason=LoginFailure.THROTTLED,
                wait_seconds=wait,
            )
    if wait is not None:
        raise RateLimited(f"too many failed logins; try again in {wait} s", retry_after=wait)


async def _log_failure(
    ctx: Context, email: str, account: Account | None, failure: LoginFailure
) -> None:
    async with ctx.sessions() as session, session.begin():
        await throttles.log_failure(
            session,
            email=email,
            account_id=account.id if account else None,
            address=ctx.client_address,
            reason=failure,
        )


async def _check_password(
    settings: Settings, account: Account | None, password: str
) -> LoginFailure | None:
    """Why the password does not open ``account`` (``None``: it does)."""
    if account is None:
        # Same work as for a real account, so timing does not reveal which e-mails exist.
        decoy = _decoy_hash(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )
        await credentials.verify_password(settings, decoy, password)
        return LoginFailure.UNKNOWN_ACCOUNT
    if not await credentials.verify_password(settings, account.password_hash, password):
        return LoginFailure.WRONG_PASSWORD
    if not account.is_active:
        return LoginFailure.DISABLED_ACCOUNT
    return None


async def _open_session(session: AsyncSession, settings: Settings, account: Account) -> SignedIn:
    session_id = credentials.new_session_id()
    refresh_token, refresh_hash = credentials.new_refresh_token(session_id)
    row = await auth_sessions.open_session(
        session,
        session_id=session_id,
        account_id=account.id,
        refresh_hash=refresh_hash,
        ttl=settings.refresh_token_ttl,
    )
    access_token, access_expires_at = credentials.issue_access_token(
        settings, account_id=account.id, session_id=session_id
    )
    return SignedIn(account, access_token, access_expires_at, refresh_token, row.expires_at)


async def refresh(ctx: Context, *, refresh_token: str) -> SignedIn:
    """Trade a refresh token for new tokens. The old one stops working; using it again
    (a sign it was stolen) ends the whole login session."""
    settings = ctx.settings
    parts = credentials.split_refresh_token(refresh_token)
    if parts is None:
        raise Unauthenticated("this is not a refresh token", field="refreshToken")
    session_id, secret = parts
    new_token, new_hash = credentials.new_refresh_token(session_id)
    async with ctx.sessions() as session, session.begin():
        row = await auth_sessions.rotate(
            session,
            session_id=session_id,
            old_hash=credentials.digest(secret),
            new_hash=new_hash,
            ttl=settings.refresh_token_ttl,
        )
        account = await session.get(Account, row.account_id) if row is not None else None
        if row is not None and account is not None and account.is_active:
            access_token, access_expires_at = credentials.issue_access_token(
                settings, account_id=account.id, session_id=session_id
            )
            return SignedIn(account, access_token, access_expires_at, new_token, row.expires_at)
    async with ctx.sessions() as session, session.begin():
        current = await auth_sessions.get(session, session_id=session_id)
        if current is not None and current.revoked_at is None:
            await auth_sessions.revoke(session, session_id=session_id)
            reused = not credentials.same_digest(secret, current.refresh_token_hash)
        else:
            reused = False
    if reused:
        message = "this refresh token was already used; the login session is ended, log in again"
    else:
        message = "the refresh token has expired or its session has ended; log in again"
    raise Unauthenticated(message, field="refreshToken")


async def logout(ctx: Context) -> None:
    viewer = require_account(ctx)
    assert viewer.session_id is not None  # accounts authenticate with a session's token
    async with ctx.sessions() as session, session.begin():
        await auth_sessions.revoke(session, session_id=viewer.session_id)


async def change_password(ctx: Context, *, current_password: str, new_password: str) -> SignedIn:
    """Set a new password, end every login session of the account, open a new one. The
    current password is checked like a login's (throttled, failures audited)."""
    viewer = require_account(ctx)
    settings = ctx.settings
    async with ctx.reads() as session:
        account = await session.get(Account, viewer.account_id)
    assert account is not None  # authenticated accounts exist
    counted = login_throttle.subjects(account.email, ctx.client_address)
    with telling_when_to_retry(ctx):
        await _charge(ctx, counted, account.email)
        failure = await _check_password(settings, account, current_password)
        if failure is not None:
            await _log_failure(ctx, account.email, account, failure)
            error = invalid_credentials()
            error.field = "currentPassword"
            raise error
        async with ctx.sessions() as session, session.begin():
            await login_throttle.refund(session, settings, counted)
        check = Checker()
        check_password(check, "newPassword", new_password, email=account.email)
        if new_password == current_password:
            check.add(
                "newPassword",
                "the new password must differ from the current one",
                ErrorCode.INVALID_INPUT,
            )
        check.done()
        new_hash = await credentials.hash_password(settings, new_password)
    async with ctx.sessions() as session, session.begin():
        locked = await session.get(Account, account.id, with_for_update=True)
        assert locked is not None
        locked.password_hash = new_hash
        locked.password_changed_at = await clock.now(session)
        await auth_sessions.revoke_all(session, account_id=locked.id)
        return await _open_session(session, settings, locked)


def check_password(check: Checker, field: str, password: str, *, email: str) -> None:
    """Length limits, and not the e-mail address (passwords are not trimmed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        check.add(
            field,
            f"`{field}` must have at least {MIN_PASSWORD_LENGTH} characters",
            ErrorCode.TOO_SHORT,
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        check.add(
            field,
            f"`{field}` must have at most {MAX_PASSWORD_LENGTH} characters",
            ErrorCode.TOO_LONG,
        )
    elif password.strip().lower() == email.strip().lower():
        check.add(field, f"`{field}` must not be the e-mail address", ErrorCode.INVALID_INPUT)
