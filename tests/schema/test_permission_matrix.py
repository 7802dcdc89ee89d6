"""Every mutation × every kind of principal: allowed, or refused with a specific code and
the database unchanged.

The principals act on one agency ("A" = Diskominfo Kukar, which asks for provincial review):
its contributor, editor and admin, an editor and an admin of another agency (Diskominfo PPU),
the province's reviewer (an editor of Diskominfo Kaltim), A's partner API key with every scope
and one with only ``drafts:read``, a platform admin, and nobody. Targets are fixtures owned by
A, written by a fourth member (so the four-eyes rule does not interfere; it has its own test).

One arranged database serves the whole matrix: a refused case must leave every table as it was
(compared row by row); an allowed case must change something, after which the changed tables
are restored from a snapshot taken once (and checked to be as before).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from hub.app import create_app
from hub.db.base import Base
from hub.db.provision import seed
from hub.schema import schema_sdl
from hub.vocabulary import ApiKeyScope, ArticleStatus, MemberRole
from tests.factories import (
    PASSWORD,
    add_account,
    add_api_key,
    add_article,
    bearer,
    login,
    set_provincial_review,
    settings_for,
)
from tests.helpers import GraphQLClient, table_digests
from tests.postgres import DatabaseServer

OK = "OK"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"

PRINCIPALS = (
    "anonymous",
    "contributor",
    "editor",
    "admin",
    "other_editor",
    "other_admin",
    "provincial_reviewer",
    "key_with_scope",
    "key_without_scope",
    "platform_admin",
)

ACCOUNTS = {
    "contributor": ("contributor@kukar.go.id", {"diskominfo-kukar": MemberRole.CONTRIBUTOR}),
    "editor": ("editor@kukar.go.id", {"diskominfo-kukar": MemberRole.EDITOR}),
    "admin": ("admin@kukar.go.id", {"diskominfo-kukar": MemberRole.ADMIN}),
    "other_editor": ("editor@ppu.go.id", {"diskominfo-ppu": MemberRole.EDITOR}),
    "other_admin": ("admin@ppu.go.id", {"diskominfo-ppu": MemberRole.ADMIN}),
    "provincial_reviewer": ("reviewer@kaltim.go.id", {"diskominfo-kaltim": MemberRole.EDITOR}),
    "platform_admin": ("root@hub.go.id", {}),
}
AUTHOR = "author@kukar.go.id"  # wrote every target article
MEMBER = "member@kukar.go.id"  # target of member changes

# fmt: off
# One expectation per principal, in PRINCIPALS order: anonymous, contributor, editor, admin,
# other agency's editor and admin, provincial reviewer, key with / without scope, platform admin.
U, F, N = UNAUTHENTICATED, FORBIDDEN, NOT_FOUND
EXPECTED: dict[str, tuple[str, ...]] = {
    "createArticle":     (U, OK, OK, OK, F,  F,  F,  OK, F,  F),
    "updateArticle":     (U, OK, OK, OK, N,  N,  N,  OK, F,  N),
    "deleteArticle":     (U, OK, OK, OK, N,  N,  N,  OK, F,  N),
    "submitArticle":     (U, OK, OK, OK, N,  N,  N,  OK, F,  N),
    "approveArticle":    (U, F,  OK, OK, N,  N,  OK, F,  F,  N),
    "rejectArticle":     (U, F,  OK, OK, N,  N,  OK, F,  F,  N),
    "reopenArticle":     (U, OK, OK, OK, N,  N,  F,  OK, F,  N),
    "retractArticle":    (U, F,  OK, OK, F,  F,  F,  F,  F,  F),
    "correctArticle":    (U, F,  OK, OK, F,  F,  F,  F,  F,  F),
    "importArticle":     (U, F,  OK, OK, F,  F,  F,  OK, F,  F),
    "recordArticleView": (OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    "createEvent":       (U, F,  OK, OK, F,  F,  F,  OK, F,  F),
    "updateEvent":       (U, F,  OK, OK, F,  F,  F,  OK, F,  F),
    "createPerson":      (U, OK, OK, OK, OK, OK, OK, OK, F,  F),
    "updatePerson":      (U, F,  OK, OK, F,  F,  F,  OK, F,  F),
    "createTag":         (U, OK, OK, OK, OK, OK, OK, OK, F,  F),
    "createAgency":      (U, F,  F,  F,  F,  F,  F,  F,  F,  OK),
    "updateAgency":      (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "createAgencyType":  (U, F,  F,  F,  F,  F,  F,  F,  F,  OK),
    "updateAgencyType":  (U, F,  F,  F,  F,  F,  F,  F,  F,  OK),
    "addMember":         (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "changeMemberRole":  (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "removeMember":      (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "createApiKey":      (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "revokeApiKey":      (U, F,  F,  OK, F,  F,  F,  F,  F,  OK),
    "logout":            (U, OK, OK, OK, OK, OK, OK, F,  F,  OK),
    "changePassword":    (U, OK, OK, OK, OK, OK, OK, F,  F,  OK),
}
# fmt: on

ERRORS = "errors { field code message }"


def doc(mutation: str, input_type: str) -> str:
    return f"mutation ($input: {input_type}!) {{ {mutation}(input: $input) {{ {ERRORS} }} }}"


CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "createArticle": (
        doc("createArticle", "CreateArticleInput"),
        {"agencySlug": "diskominfo-kukar", "title": "Berita baru", "body": "<p>Isi</p>"},
    ),
    "updateArticle": (
        doc("updateArticle", "UpdateArticleInput"),
        {"slug": "a-draft", "version": 1, "title": "Judul yang diperbaiki"},
    ),
    "deleteArticle": (
        doc("deleteArticle", "ArticleActionInput"),
        {"slug": "a-draft", "version": 1},
    ),
    "submitArticle": (
        doc("submitArticle", "ArticleActionInput"),
        {"slug": "a-draft", "version": 1},
    ),
    "approveArticle": (
        doc("approveArticle", "ArticleActionInput"),
        {"slug": "a-submitted", "version": 2},
    ),
    "rejectArticle": (
        doc("rejectArticle", "ArticleReasonInput"),
        {"slug": "a-submitted", "version": 2, "reason": "Sumber belum dikonfirmasi"},
    ),
    "reopenArticle": (
        doc("reopenArticle", "ArticleActionInput"),
        {"slug": "a-rejected", "version": 3},
    ),
    "retractArticle": (
        doc("retractArticle", "ArticleReasonInput"),
        {"slug": "a-approved", "version": 3, "reason": "Data keliru"},
    ),
    "correctArticle": (
        doc("correctArticle", "CorrectArticleInput"),
        {"slug": "a-approved", "version": 3, "note": "Ejaan nama", "title": "Judul benar"},
    ),
    "importArticle": (
        doc("importArticle", "ImportArticleInput"),
        {
            "agencySlug": "diskominfo-kukar",
            "canonicalUrl": "https://diskominfo.kukarkab.go.id/berita/arsip-forum",
            "publishedAt": "2023-07-10T10:00:00+08:00",
            "title": "Berita dari arsip",
            "body": "<p>Isi berita lama.</p>",
        },
    ),
    "recordArticleView": (
        doc("recordArticleView", "RecordArticleViewInput"),
        {"slug": "a-approved"},
    ),
    "createEvent": (
        doc("createEvent", "CreateEventInput"),
        {
            "organiserSlug": "diskominfo-kukar",
            "title": "Rapat humas",
            "startsAt": "2024-01-08T09:00:00+08:00",
        },
    ),
    "updateEvent": (
        doc("updateEvent", "UpdateEventInput"),
        {"slug": "a-event", "version": 1, "venue": "Aula Diskominfo"},
    ),
    "createPerson": (
        doc("createPerson", "CreatePersonInput"),
        {"name": "Dewi Lestari", "agencySlug": "diskominfo-kukar"},
    ),
    "updatePerson": (
        doc("updatePerson", "UpdatePersonInput"),
        {"slug": "surya-admaja", "version": 1, "position": "Kepala Bidang IKP"},
    ),
    "createTag": (
        doc("createTag", "CreateTagInput"),
        {"label": "Pilkada 2024"},
    ),
    "createAgency": (
        doc("createAgency", "CreateAgencyInput"),
        {
            "slug": "kpu-kukar",
            "name": "KPU Kabupaten Kutai Kartanegara",
            "typeCode": "kpu",
            "regionCode": "64.02",
        },
    ),
    "updateAgency": (
        doc("updateAgency", "UpdateAgencyInput"),
        {"slug": "diskominfo-kukar", "version": 1, "website": "https://diskominfo.kukarkab.go.id"},
    ),
    "createAgencyType": (
        doc("createAgencyType", "CreateAgencyTypeInput"),
        {
            "code": "penerangan_kodim",
            "name": "Penerangan Komando Distrik Militer",
            "nameEn": "District military command information section",
            "description": "Seksi penerangan pada tingkat kodim.",
        },
    ),
    "updateAgencyType": (
        doc("updateAgencyType", "UpdateAgencyTypeInput"),
        {"code": "kpu", "version": 1, "source": "UU 7/2017 tentang Pemilihan Umum"},
    ),
    "addMember": (
        doc("addMember", "AddMemberInput"),
        {
            "agencySlug": "diskominfo-kukar",
            "email": "baru@kukar.go.id",
            "role": "CONTRIBUTOR",
            "displayName": "Pegawai Baru",
            "initialPassword": "sandi awal yang panjang",
        },
    ),
    "changeMemberRole": (
        doc("changeMemberRole", "ChangeMemberRoleInput"),
        {"agencySlug": "diskominfo-kukar", "email": MEMBER, "role": "EDITOR"},
    ),
    "removeMember": (
        doc("removeMember", "RemoveMemberInput"),
        {"agencySlug": "diskominfo-kukar", "email": MEMBER},
    ),
    "createApiKey": (
        doc("createApiKey", "CreateApiKeyInput"),
        {"agencySlug": "diskominfo-kukar", "name": "Portal berita", "scopes": ["READ_DRAFTS"]},
    ),
    "revokeApiKey": (
        doc("revokeApiKey", "RevokeApiKeyInput"),
        {"prefix": "<spare key>"},
    ),
    "logout": (f"mutation {{ logout {{ {ERRORS} }} }}", {}),
    "changePassword": (
        doc("changePassword", "ChangePasswordInput"),
        {"currentPassword": PASSWORD, "newPassword": "sandi baru yang panjang"},
    ),
}


def referencing_closure(tables: set[str]) -> set[str]:
    """The tables plus every table whose foreign keys lead to them (what TRUNCATE must take)."""
    closure = set(tables)
    while True:
        more = {
            table.name
            for table in Base.metadata.sorted_tables
            if table.name not in closure
            and any(key.column.table.name in closure for key in table.foreign_keys)
        }
        if not more:
            return closure
        closure |= more


@dataclass
class Matrix:
    engine: AsyncEngine  # inspects and restores the database the app uses
    gql: GraphQLClient
    headers: dict[str, dict[str, str]]
    spare_key_prefix: str

    async def snapshot(self) -> None:
        """Copy every table into the schema ``pristine``, to restore from."""
        async with self.engine.begin() as connection:
            await connection.execute(text("CREATE SCHEMA pristine"))
            for table in Base.metadata.sorted_tables:
                await connection.execute(
                    text(f"CREATE TABLE pristine.{table.name} AS TABLE public.{table.name}")
                )

    async def restore(self, changed: set[str]) -> None:
        """Put the changed tables (and those referencing them) back as they were."""
        tables = referencing_closure(changed)
        async with self.engine.begin() as connection:
            # Rows go back exactly as they were: no triggers (derived tables are restored too).
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            await connection.execute(text(f"TRUNCATE {', '.join(sorted(tables))}"))
            for table in Base.metadata.sorted_tables:
                if table.name in tables:
                    stored = ", ".join(c.name for c in table.columns if c.computed is None)
                    await connection.execute(
                        text(
                            f"INSERT INTO public.{table.name} ({stored}) "  # noqa: S608
                            f"SELECT {stored} FROM pristine.{table.name}"
                        )
                    )


async def arrange(url: str, settings_dir: Path) -> tuple[dict[str, dict[str, str]], str]:
    """Agencies, accounts, keys and target objects; logins through the API."""
    settings = settings_for(url, settings_dir)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        await seed(url, demo=True)
        await set_provincial_review(sessions, "diskominfo-kukar")
        for email, roles in ACCOUNTS.values():
            await add_account(
                sessions, settings, email, roles=roles, platform_admin=email.startswith("root")
            )
        await add_account(
            sessions, settings, AUTHOR, roles={"diskominfo-kukar": MemberRole.CONTRIBUTOR}
        )
        await add_account(
            sessions, settings, MEMBER, roles={"diskominfo-kukar": MemberRole.CONTRIBUTOR}
        )
        for status in (
            ArticleStatus.DRAFT,
            ArticleStatus.SUBMITTED,
            ArticleStatus.REJECTED,
            ArticleStatus.APPROVED,
        ):
            await add_article(
                sessions,
                agency_slug="diskominfo-kukar",
                slug=f"a-{status.value}",
                status=status,
                author_email=AUTHOR,
            )
        async with sessions() as session, session.begin():
            await session.execute(
                text(
                    "INSERT INTO events (slug, title, organiser_id, starts_at) SELECT 'a-event', "
                    "'Rapat koordinasi', id, now() FROM agencies WHERE slug = 'diskominfo-kukar'"
                )
            )
        headers = {
            "key_with_scope": bearer(
                await add_api_key(sessions, "diskominfo-kukar", list(ApiKeyScope))
            ),
            "key_without_scope": bearer(
                await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
            ),
        }
        spare = await add_api_key(sessions, "diskominfo-kukar", [ApiKeyScope.READ_DRAFTS])
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
            ) as http,
        ):
            gql = GraphQLClient(http)
            for principal, (email, _) in ACCOUNTS.items():
                headers[principal] = bearer((await login(gql, email))["accessToken"])
    finally:
        await engine.dispose()
    return headers, spare.split("_")[1]


@pytest.fixture(scope="module")
async def matrix(
    pg_server: DatabaseServer, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Matrix]:
    name = f"hub_matrix_{pg_server.token}"
    folder = tmp_path_factory.mktemp("matrix")
    await pg_server.drop_database(name)
    url = await pg_server.create_database(name, template=template_database)
    engine = create_async_engine(url)
    try:
        headers, spare = await arrange(url, folder)
        app = create_app(settings_for(url, folder))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
            ) as http,
        ):
            matrix = Matrix(engine, GraphQLClient(http), headers, spare)
            await matrix.snapshot()
            yield matrix
    finally:
        await engine.dispose()
        await pg_server.drop_database(name)


CASES = [
    pytest.param(mutation, principal, expected, id=f"{mutation}-{principal}")
    for mutation, row in EXPECTED.items()
    for principal, expected in zip(PRINCIPALS, row, strict=True)
]


def test_the_matrix_covers_every_mutation() -> None:
    mutation_type = graphql.build_schema(schema_sdl()).mutation_type
    assert mutation_type is not None
    names = set(mutation_type.fields)
    credential_based = {"login", "refreshToken"}  # tested with their own credentials
    assert names - credential_based == set(EXPECTED) == set(CALLS)


@pytest.mark.parametrize(("mutation", "principal", "expected"), CASES)
async def test_permission(matrix: Matrix, mutation: str, principal: str, expected: str) -> None:
    document, variables = CALLS[mutation]
    variables = {**variables}
    if variables.get("prefix") == "<spare key>":
        variables["prefix"] = matrix.spare_key_prefix
    before = await table_digests(matrix.engine)
    data = await matrix.gql(
        document,
        {"input": variables} if variables else {},
        headers=matrix.headers.get(principal),
    )
    errors = data[mutation]["errors"]
    after = await table_digests(matrix.engine)
    if expected == OK:
        assert errors == []
        changed = {table for table in before if before[table] != after[table]}
        assert changed, "an allowed mutation must write something"
        await matrix.restore(changed)
        assert await table_digests(matrix.engine) == before
    else:
        assert [error["code"] for error in errors] == [expected], errors
        assert after == before, "a refused mutation must change nothing"
