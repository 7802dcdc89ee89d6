"""Scenario builders: accounts with roles, logins, API keys, articles in a given status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import credentials
from hub.db.models import Account, Agency, ApiKey, Article, ArticleTransition, Membership
from hub.settings import Environment, Settings
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from tests.helpers import GraphQLClient

PASSWORD = "kata sandi yang panjang"

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
    account { email }
    errors { field code message }
  }
}
"""


def settings_for(database_url: str, data_dir: Path) -> Settings:
    """Test settings: argon2 made cheap (hashing cost is not what the tests are about)."""
    return Settings(
        database_url=database_url,
        environment=Environment.TEST,
        data_dir=data_dir,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def agency_id(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Agency.id).where(Agency.slug == slug))
    assert found is not None, slug
    return found


async def add_account(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    email: str,
    *,
    roles: dict[str, MemberRole] | None = None,
    platform_admin: bool = False,
    password: str = PASSWORD,
) -> int:
    """An account with a role in each named agency (by slug); returns its id."""
    async with sessions() as session, session.begin():
        account = Account(
            email=email,
            display_name=email.split("@")[0].replace(".", " ").title(),
            password_hash=await credentials.hash_password(settings, password),
            is_platform_admin=platform_admin,
        )
        session.add(account)
        await session.flush()
        for slug, role in (roles or {}).items():
            found = await session.scalar(select(Agency.id).where(Agency.slug == slug))
            assert found is not None, slug
            session.add(Membership(account_id=account.id, agency_id=found, role=role.value))
        return account.id


async def add_api_key(
    sessions: async_sessionmaker[AsyncSession], agency_slug: str, scopes: list[ApiKeyScope]
) -> str:
    """A usable key of the agency with these scopes; returns the key itself."""
    prefix, key, key_hash = credentials.new_api_key()
    async with sessions() as session, session.begin():
        found = await session.scalar(select(Agency.id).where(Agency.slug == agency_slug))
        assert found is not None, agency_slug
        session.add(
            ApiKey(
                agency_id=found,
                name=f"{agency_slug} integration",
                prefix=prefix,
                key_hash=key_hash,
                scopes=[scope.value for scope in scopes],
            )
        )
    return key


async def login(gql: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(LOGIN, {"email": email, "password": password}))["login"]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def headers_for(gql: GraphQLClient, email: str) -> dict[str, str]:
    return bearer((await login(gql, email))["accessToken"])


async def set_provincial_review(
    sessions: async_sessionmaker[AsyncSession], slug: str, enabled: bool = True
) -> None:
    async with sessions() as session, session.begin():
        agency = (await session.scalars(select(Agency).where(Agency.slug == slug))).one()
        agency.provincial_review = enabled


async def add_article(
    sessions: async_sessionmaker[AsyncSession],
    *,
    agency_slug: str,
    slug: str,
    status: ArticleStatus,
    author_email: str | None = None,
) -> int:
    """An article already in ``status`` (with the transitions that led there)."""
    path = {
        ArticleStatus.DRAFT: [ArticleStatus.DRAFT],
        ArticleStatus.SUBMITTED: [ArticleStatus.DRAFT, ArticleStatus.SUBMITTED],
        ArticleStatus.APPROVED: [
            ArticleStatus.DRAFT,
            ArticleStatus.SUBMITTED,
            ArticleStatus.APPROVED,
        ],
        ArticleStatus.REJECTED: [
            ArticleStatus.DRAFT,
            ArticleStatus.SUBMITTED,
            ArticleStatus.REJECTED,
        ],
        ArticleStatus.RETRACTED: [
            ArticleStatus.DRAFT,
            ArticleStatus.SUBMITTED,
            ArticleStatus.APPROVED,
            ArticleStatus.RETRACTED,
        ],
    }[status]
    published = status in (ArticleStatus.APPROVED, ArticleStatus.RETRACTED)
    async with sessions() as session, session.begin():
        author = (
            await session.scalar(select(Account.id).where(Account.email == author_email))
            if author_email
            else None
        )
        article = Article(
            slug=slug,
            title=slug.replace("-", " ").title(),
            body=f"<p>{slug}</p>",
            source_agency_id=await session.scalar(
                select(Agency.id).where(Agency.slug == agency_slug)
            ),
            status=status.value,
            version=len(path),
            author_id=author,
            published_at=func.now() if published else None,
            retraction_reason="Sumber keliru" if status is ArticleStatus.RETRACTED else None,
        )
        session.add(article)
        await session.flush()
        session.add_all(
            ArticleTransition(
                article_id=article.id,
                from_status=path[index - 1].value if index else None,
                to_status=step.value,
                actor_account_id=author
                if step in (ArticleStatus.DRAFT, ArticleStatus.SUBMITTED)
                else None,
                article_version=index + 1,
            )
            for index, step in enumerate(path)
        )
        return article.id
