"""Scenario builders: agencies, events, accounts with roles, logins, API keys, articles in
a given status (with regions, stages, tags), an editor's desk acting through the API, and
published articles with their edges written straight into a test's database (read tests)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
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
from hub.db.repositories.article_index import index_published_article
from hub.settings import Environment, Settings
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole, TransitionKind
from tests.helpers import GraphQLClient

Sessions = async_sessionmaker[AsyncSession]
_numbers = itertools.count(1)

PASSWORD = "kata sandi yang panjang"

STEP_KINDS = {
    ArticleStatus.SUBMITTED: TransitionKind.SUBMITTED,
    ArticleStatus.APPROVED: TransitionKind.APPROVED,
    ArticleStatus.REJECTED: TransitionKind.REJECTED,
    ArticleStatus.RETRACTED: TransitionKind.RETRACTED,
}  # the step that led to each status on the paths ``add_article`` takes

LOGIN = """
mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
    account { email }
    errors { field code message }
  }
}
"""


NO_QUOTAS = {
    "quota_anonymous_requests": 0,
    "quota_anonymous_cost": 0,
    "quota_api_key_requests": 0,
    "quota_api_key_cost": 0,
    "quota_account_requests": 0,
    "quota_account_cost": 0,
}
"""Tests send hundreds of requests a minute from one address; quotas have their own tests."""

NO_RESPONSE_CACHE = {"response_cache_bytes": 0}
"""Factories write rows directly, past the outbox the response cache follows, so the suite
reads uncached; the cache's own tests turn it on and write through the API."""


def settings_for(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: argon2 made cheap (hashing cost is not what the tests are about), no
    quotas; ``overrides`` on top."""
    return Settings(
        **{
            "database_url": database_url,
            "environment": Environment.TEST,
            "data_dir": data_dir,
            "argon2_time_cost": 1,
            "argon2_memory_kib": 1024,
            "argon2_parallelism": 1,
            **NO_QUOTAS,
            **NO_RESPONSE_CACHE,
            **overrides,
        }
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ensure_agency(
    sessions: Sessions,
    *,
    slug: str,
    type_code: str = "diskominfo_provinsi",
    region_code: str = "64",
) -> int:
    """The agency with this slug, created when missing; returns its id."""
    return await _find_or_add(
        sessions,
        Agency(
            slug=slug,
            name=slug.replace("-", " ").title(),
            type_code=type_code,
            region_code=region_code,
        ),
    )


async def ensure_event(sessions: Sessions, *, slug: str, region_code: str = "64") -> int:
    """The event with this slug, created when missing; returns its id."""
    return await _find_or_add(
        sessions,
        Event(
            slug=slug,
            title=slug.replace("-", " ").title(),
            region_code=region_code,
            starts_at=func.now(),
        ),
    )


async def _find_or_add(sessions: Sessions, row: Agency | Event) -> int:
    model = type(row)
    async with sessions() as session, session.begin():
        found = await session.scalar(select(model.id).where(model.slug == row.slug))
        if found is not None:
            return found
        session.add(row)
        await session.flush()
        return row.id


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
    sessions: Sessions,
    *,
    agency_slug: str,
    status: ArticleStatus = ArticleStatus.SUBMITTED,
    slug: str | None = None,
    author_email: str | None = None,
    regions: Sequence[str] = (),
    stages: Sequence[str] = (),
    tags: Sequence[str] = (),
    event_id: int | None = None,
    body: str | None = None,
) -> int:
    """An article already in ``status`` (with the transitions that led there, no outbox
    rows) covering ``regions``, tagged with ``stages`` and ``tags`` (created when missing)."""
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
    slug = slug or f"berita-uji-{next(_numbers)}"
    async with sessions() as session, session.begin():
        author = (
            await session.scalar(select(Account.id).where(Account.email == author_email))
            if author_email
            else None
        )
        article = Article(
            slug=slug,
            title=slug.replace("-", " ").title(),
            body=body or f"<p>{slug}</p>",
            source_agency_id=await session.scalar(
                select(Agency.id).where(Agency.slug == agency_slug)
            ),
            event_id=event_id,
            status=status.value,
            version=len(path),
            author_id=author,
            submitted_at=func.now() if ArticleStatus.SUBMITTED in path else None,
            published_at=func.now() if published else None,
            retraction_reason="Sumber keliru" if status is ArticleStatus.RETRACTED else None,
        )
        session.add(article)
        await session.flush()
        session.add_all(
            ArticleTransition(
                article_id=article.id,
                kind=STEP_KINDS[step] if index else TransitionKind.CREATED,
                from_status=path[index - 1].value if index else None,
                to_status=step.value,
                actor_account_id=author
                if step in (ArticleStatus.DRAFT, ArticleStatus.SUBMITTED)
                else None,
                article_version=index + 1,
            )
            for index, step in enumerate(path)
        )
        await _link(session, article.id, regions=regions, stages=stages, tags=tags)
        return article.id


async def _link(
    session: AsyncSession,
    article_id: int,
    *,
    regions: Sequence[str],
    stages: Sequence[str],
    tags: Sequence[str],
) -> None:
    if regions:
        await session.execute(
            insert(article_regions),
            [{"article_id": article_id, "region_code": code} for code in regions],
        )
    if stages:
        await session.execute(
            insert(article_election_stages),
            [{"article_id": article_id, "stage_code": code} for code in stages],
        )
    for tag_slug in tags:
        tag_id = await session.scalar(select(Tag.id).where(Tag.slug == tag_slug))
        if tag_id is None:
            tag = Tag(slug=tag_slug, label=tag_slug.replace("-", " ").title())
            session.add(tag)
            await session.flush()
            tag_id = tag.id
        await session.execute(insert(article_tags).values(article_id=article_id, tag_id=tag_id))


WORKFLOW_ACTION = """
mutation ($input: %(input)s!) { %(name)s(input: $input) { errors { field code message } } }
"""


class Desk:
    """An editor working through the API (``gql`` may point at any server): approves,
    rejects, corrects and retracts articles named by id, at their current version."""

    def __init__(self, gql: GraphQLClient, sessions: Sessions, headers: dict[str, str]) -> None:
        self.gql = gql
        self.sessions = sessions
        self.headers = headers

    @classmethod
    async def open(
        cls,
        gql: GraphQLClient,
        sessions: Sessions,
        settings: Settings,
        *,
        agencies: Sequence[str],
        email: str | None = None,
    ) -> Desk:
        """A new editor of ``agencies``, logged in through ``gql``."""
        email = email or f"redaktur{next(_numbers)}@hub.test"
        await add_account(
            sessions, settings, email, roles=dict.fromkeys(agencies, MemberRole.EDITOR)
        )
        return cls(gql, sessions, await headers_for(gql, email))

    @classmethod
    @contextlib.asynccontextmanager
    async def at(
        cls,
        url: str,
        sessions: Sessions,
        settings: Settings,
        *,
        agencies: Sequence[str],
        email: str | None = None,
    ) -> AsyncIterator[Desk]:
        """A new editor of ``agencies`` working against the server at ``url`` over HTTP."""
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            yield await cls.open(
                GraphQLClient(http), sessions, settings, agencies=agencies, email=email
            )

    async def approve(self, article_id: int) -> None:
        await self._act("approveArticle", "ArticleActionInput", article_id)

    async def reject(self, article_id: int, reason: str = "Data belum lengkap") -> None:
        await self._act("rejectArticle", "ArticleReasonInput", article_id, reason=reason)

    async def retract(self, article_id: int, reason: str = "Sumber keliru") -> None:
        await self._act("retractArticle", "ArticleReasonInput", article_id, reason=reason)

    async def correct(
        self, article_id: int, note: str = "Nama narasumber diperbaiki", **changes: Any
    ) -> None:
        """Correct, with ``changes`` to the article's fields (``regionCodes=[...]``, ...)."""
        await self._act("correctArticle", "CorrectArticleInput", article_id, note=note, **changes)

    async def submit(self, article_id: int) -> None:
        await self._act("submitArticle", "ArticleActionInput", article_id)

    async def _act(self, name: str, input_type: str, article_id: int, **extra: Any) -> None:
        async with self.sessions() as session:
            article = await session.get(Article, article_id)
            assert article is not None, article_id
            target = {"slug": article.slug, "version": article.version}
        data = await self.gql(
            WORKFLOW_ACTION % {"input": input_type, "name": name},
            {"input": {**target, **extra}},
            headers=self.headers,
        )
        assert data[name]["errors"] == [], data[name]["errors"]


OpenDesk = Callable[..., Awaitable[Desk]]
"""``await open_desk(url, *agency_slugs)`` (a fixture of the live tests)."""


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
        await session.flush()
        # As approval does: its words, signature and related coverage (nothing for drafts).
        await index_published_article(session, article_id=row.id)
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
