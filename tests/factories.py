"""Scenario builders: accounts with roles, logins, API keys, articles in a given status, and
agencies, tags, people and published articles written straight into a test's database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import credentials
from hub.db.models import (
    Account,
    Agency,
    ApiKey,
    Article,
    ArticlePerson,
    ArticleTransition,
    Event,
    EventSpeaker,
    Membership,
    Person,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
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


_numbers = itertools.count(1)
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


async def agency(
    sessions: async_sessionmaker[AsyncSession],
    *,
    slug: str,
    region_code: str = "64",
    type_code: str = "diskominfo_kabkota",
) -> int:
    async with sessions() as session, session.begin():
        row = Agency(slug=slug, name=f"Agency {slug}", type_code=type_code, region_code=region_code)
        session.add(row)
        await session.flush()
        return row.id


async def tag(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session, session.begin():
        row = Tag(slug=slug, label=slug.title())
        session.add(row)
        await session.flush()
        return row.id


async def person(sessions: async_sessionmaker[AsyncSession], slug: str) -> int:
    async with sessions() as session, session.begin():
        row = Person(slug=slug, name=slug.replace("-", " ").title())
        session.add(row)
        await session.flush()
        return row.id


async def article(
    sessions: async_sessionmaker[AsyncSession],
    *,
    agency_id: int,
    title: str | None = None,
    summary: str | None = None,
    body: str = "<p>Isi berita.</p>",
    regions: tuple[str, ...] = (),
    stages: tuple[str, ...] = (),
    tag_ids: tuple[int, ...] = (),
    quoted: tuple[int, ...] = (),
    published_at: datetime | None = None,
    status: str = "approved",
    **fields: Any,
) -> int:
    """One article (approved unless told); returns its id."""
    number = next(_numbers)
    published = published_at or BASE_TIME + timedelta(hours=number)
    async with sessions() as session, session.begin():
        row = Article(
            slug=f"artikel-{number}",
            title=title or f"Artikel nomor {number}",
            summary=summary,
            body=body,
            source_agency_id=agency_id,
            status=status,
            published_at=published if status in ("approved", "retracted") else None,
            **fields,
        )
        session.add(row)
        await session.flush()
        links = [
            (article_regions, [{"article_id": row.id, "region_code": code} for code in regions]),
            (
                article_election_stages,
                [{"article_id": row.id, "stage_code": code} for code in stages],
            ),
            (article_tags, [{"article_id": row.id, "tag_id": tag_id} for tag_id in tag_ids]),
        ]
        for table, values in links:
            if values:
                await session.execute(insert(table), values)
        session.add_all(
            ArticlePerson(article_id=row.id, person_id=pid, kind="quoted", quote="Kutipan.")
            for pid in quoted
        )
        return row.id


async def newsroom(
    sessions: async_sessionmaker[AsyncSession], *, agencies: int, per_agency: int
) -> None:
    """Agencies with a speaker, an event and articles each: enough rows for pages of 100."""
    regency_codes = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71"]
    tag_ids = [await tag(sessions, f"topik-{n}") for n in range(8)]
    async with sessions() as session, session.begin():
        for a in range(agencies):
            region_code = regency_codes[a % len(regency_codes)]
            row = Agency(
                slug=f"kantor-{a}",
                name=f"Kantor {a}",
                type_code="diskominfo_kabkota",
                region_code=region_code,
            )
            session.add(row)
            await session.flush()
            speaker = Person(slug=f"juru-bicara-{a}", name=f"Juru Bicara {a}", agency_id=row.id)
            event = Event(
                slug=f"acara-{a}",
                title=f"Acara {a}",
                region_code=region_code,
                organiser_id=row.id,
                starts_at=BASE_TIME + timedelta(days=a),
            )
            session.add_all([speaker, event])
            await session.flush()
            await session.execute(
                insert(EventSpeaker),
                [{"event_id": event.id, "person_id": speaker.id, "role": "speaker"}],
            )
            for n in range(per_agency):
                number = next(_numbers)
                article_row = Article(
                    slug=f"berita-{number}",
                    title=f"Berita {number} tentang pelayanan publik",
                    summary="Ringkasan berita.",
                    body="<p>Isi berita pelayanan publik.</p>",
                    source_agency_id=row.id,
                    event_id=event.id,
                    status="approved",
                    published_at=BASE_TIME + timedelta(hours=number),
                )
                session.add(article_row)
                await session.flush()
                await session.execute(
                    insert(article_regions),
                    [
                        {"article_id": article_row.id, "region_code": code}
                        for code in ("64", region_code)
                    ],
                )
                await session.execute(
                    insert(article_tags),
                    [{"article_id": article_row.id, "tag_id": tag_ids[n % 8]}],
                )
                await session.execute(
                    insert(article_election_stages),
                    [{"article_id": article_row.id, "stage_code": "kampanye"}],
                )
                session.add(
                    ArticlePerson(
                        article_id=article_row.id,
                        person_id=speaker.id,
                        kind="quoted",
                        quote="Pelayanan publik terus membaik.",
                    )
                )
