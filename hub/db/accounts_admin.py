"""Operator tasks on accounts (the ``hub create-account`` command): the first platform admin
of a fresh installation is created here, everything else through the API."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from hub import credentials
from hub.db.models import Account
from hub.db.repositories import account as accounts
from hub.settings import Settings


class AccountExists(Exception):
    """An account with this e-mail address exists already."""


async def create_account(
    settings: Settings, url: str, *, email: str, name: str, password: str, platform_admin: bool
) -> int:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            if await accounts.get_by_email(session, email=email) is not None:
                raise AccountExists(f"an account {email} exists already")
            account = Account(
                email=email.strip(),
                display_name=name.strip(),
                password_hash=await credentials.hash_password(settings, password),
                is_platform_admin=platform_admin,
            )
            session.add(account)
            await session.flush()
            return account.id
    finally:
        await engine.dispose()
