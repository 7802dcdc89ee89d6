"""The first steps of every write: who is acting, may they, did they edit the latest version;
and, for writes that can be refused for a while, telling the client when to come back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hub.auth import Viewer
from hub.errors import Conflict, Forbidden, RateLimited, Unauthenticated

if TYPE_CHECKING:
    from hub.context import Context


def require_principal(ctx: Context) -> Viewer:
    if ctx.viewer.is_anonymous:
        raise Unauthenticated("log in (Bearer access token) or use an API key to do this")
    return ctx.viewer


def require_account(ctx: Context) -> Viewer:
    viewer = require_principal(ctx)
    if viewer.account_id is None:
        raise Forbidden("API keys cannot do this; log in with an account")
    return viewer


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def check_version(current: int, edited: int, noun: str) -> None:
    if current != edited:
        raise Conflict(
            f"the {noun} changed since you read it (you edited version {edited}, "
            f"it is now at version {current}); reload and apply your change again",
            field="version",
        )


@contextlib.contextmanager
def telling_when_to_retry(ctx: Context) -> Iterator[None]:
    """A ``RATE_LIMITED`` refusal inside the block also sets the response's ``Retry-After``."""
    try:
        yield
    except RateLimited as error:
        ctx.ask_retry_after(error.retry_after)
        raise
