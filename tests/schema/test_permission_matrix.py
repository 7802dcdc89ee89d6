"""Every mutation × every kind of principal: allowed, or refused with a specific code and
the database unchanged.

The principals act on one agency ("A" = Diskominfo Kukar, which asks for provincial review):
its contributor, editor and admin, an editor and an admin of another agency (Diskominfo PPU),
the province's reviewer (an editor of Diskominfo Kaltim), A's partner API key with every scope
and one with only ``drafts:read``, a platform admin, and nobody. Targets are fixtures owned by
A, written by a fourth member (so the four-eyes rule does not interfere; it has its own test).

Cross-agency writes: every input field of a mutation that names an agency (``agencySlug``,
``organiserSlug``, ``parentSlug``, found in the schema) has a case in ``CROSS_AGENCY`` naming an
agency where some principals hold no role, and those principals must be refused there — so a
new mutation or field that names an agency fails a test until its case is in the matrix.

One arranged database serves the whole matrix: a refused case must leave every table as it was
(compared row by row); an allowed case must change something, after which the changed tables
are restored from a snapshot taken once (and checked to be as before).
"""

from __future__ import annotations

import re
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
# A case is a mutation, or `mutation/variant`. One expectation per principal, in PRINCIPALS order:
# anonymous, contributor, editor, admin, other agency's editor and admin, provincial reviewer,
# key with / without scope, platform admin.
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
    "createPerson":      (U, OK, OK, OK, F,  F,  F,  OK, F,  F),
    "createPerson/none": (U, OK, OK, OK, OK, OK, OK, OK, F,  F),
    "updatePerson":      (U, F,  OK, OK, F,  F,  F,  OK, F,  F),
    "updatePerson/move": (U, F,  F,  F,  F,  F,  F,  F,  F,  F),
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
    "createPerson/none": (
        doc("createPerson", "CreatePersonInput"),
        {"name": "Dewi Lestari"},
    ),
    "updatePerson": (
        doc("updatePerson", "UpdatePersonInput"),
        {"slug": "surya-admaja", "version": 1, "position": "Kepala Bidang IKP"},
    ),
    "updatePerson/move": (  # A's person into another agency: nobody here has a role in both
        doc("updatePerson", "UpdatePersonInput"),
        {"slug": "surya-admaja", "version": 1, "agencySlug": "diskominfo-ppu"},
    ),
    "createTag": (
        doc("createTag", "CreateTagInput"),
        {"label": "Pilkada 2024"},
    ),
    "createAgency": (
        doc("createAgency", "CreateAgencyInput"),
        {
            "slug": "bidang-ikp-kukar",
            "name": "Bidang Informasi dan Komunikasi Publik Diskominfo Kukar",
            "typeCode": "diskominfo_kabkota",
            "regionCode": "64.02",
            "parentSlug": "diskominfo-kukar",
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


AGENCY_FIELD = re.compile(r"^(agency|organiser|parent)Slug$")
OTHER_AGENCY = ("other_editor", "other_admin", "provincial_reviewer")  # no role in A
A_ONLY = ("contributor", "editor", "admin", "key_with_scope", "key_without_scope")

CROSS_AGENCY: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    # (mutation, input field naming an agency): (case, principals with no role in that agency)
    ("createArticle", "agencySlug"): ("createArticle", OTHER_AGENCY),
    ("createEvent", "organiserSlug"): ("createEvent", OTHER_AGENCY),
    ("importArticle", "agencySlug"): ("importArticle", OTHER_AGENCY),
    ("createPerson", "agencySlug"): ("createPerson", OTHER_AGENCY),
    ("updatePerson", "agencySlug"): ("updatePerson/move", A_ONLY),
    ("createAgency", "parentSlug"): ("createAgency", (*A_ONLY, *OTHER_AGENCY)),
    ("addMember", "agencySlug"): ("addMember", OTHER_AGENCY),
    ("changeMemberRole", "agencySlug"): ("changeMemberRole", OTHER_AGENCY),
    ("removeMember", "agencySlug"): ("removeMember", OTHER_AGENCY),
    ("createApiKey", "agencySlug"): ("createApiKey", OTHER_AGENCY),
}


def mutation_of(case: str) -> str:
    return case.split("/")[0]


def agency_fields() -> set[tuple[str, str]]:
    """Every (mutation, input field) of the schema whose name says it names an agency."""
    schema = graphql.build_schema(schema_sdl())
    assert schema.mutation_type is not None
    found = set()
    for name, field in schema.mutation_type.fields.items():
        for argument in field.args.values():
            pending = [graphql.get_named_type(argument.type)]
            while pending:
                input_type = pending.pop()
                if isinstance(input_type, graphql.GraphQLInputObjectType):
                    for field_name, input_field in input_type.fields.items():
                        if AGENCY_FIELD.match(field_name):
                            found.add((name, field_name))
                        pending.append(graphql.get_named_type(input_field.type))
    return found


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
    pytest.param(case, principal, expected, id=f"{case}-{principal}")
    for case, row in EXPECTED.items()
    for principal, expected in zip(PRINCIPALS, row, strict=True)
]


def test_the_matrix_covers_every_mutation() -> None:
    mutation_type = graphql.build_schema(schema_sdl()).mutation_type
    assert mutation_type is not None
    names = set(mutation_type.fields)
    credential_based = {"login", "refreshToken"}  # tested with their own credentials
    assert set(EXPECTED) == set(CALLS)
    assert names - credential_based == {mutation_of(case) for case in EXPECTED}
    for case, (document, _) in CALLS.items():
        assert re.search(rf"{{ {mutation_of(case)}\b", document), case


def test_every_field_naming_an_agency_has_a_cross_agency_case() -> None:
    assert agency_fields() == set(CROSS_AGENCY), "add the new field's case to CROSS_AGENCY"
    for (mutation, field), (case, outsiders) in CROSS_AGENCY.items():
        assert mutation_of(case) == mutation
        _, variables = CALLS[case]
        assert field in variables, f"{case} must name an agency in `{field}`"
        expected = dict(zip(PRINCIPALS, EXPECTED[case], strict=True))
        allowed = [who for who in outsiders if expected[who] == OK]
        assert not allowed, f"{case}: {allowed} have no role in that agency but may write there"


@pytest.mark.parametrize(("case", "principal", "expected"), CASES)
async def test_permission(matrix: Matrix, case: str, principal: str, expected: str) -> None:
    document, variables = CALLS[case]
    mutation = mutation_of(case)
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
