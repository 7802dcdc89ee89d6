"""Fixtures for import runs: an editor of the importing agency, and a run of the command."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.importing import command
from hub.settings import Settings
from hub.vocabulary import MemberRole
from tests.factories import add_account

AGENCY = "diskominfo-kukar"  # demo content; region 64.02 (Kutai Kartanegara)
EDITOR = "importir@kukar.go.id"


@dataclass
class Run:
    status: int
    output: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


RunImport = Callable[..., Awaitable[Run]]


@pytest.fixture
async def editor(demo: str, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> str:
    await add_account(sessions, settings, EDITOR, roles={AGENCY: MemberRole.EDITOR})
    return EDITOR


@pytest.fixture
def run_import(settings: Settings, database_url: str, editor: str) -> RunImport:
    """``await run_import(kind, location, **request fields)``: the command's run in this
    process (everything but argument parsing), its exit status and summary."""

    async def run(kind: str, location: str, **fields: Any) -> Run:
        out = io.StringIO()
        request = command.Request(
            kind=kind,
            location=location,
            agency=fields.pop("agency", AGENCY),
            email=fields.pop("email", editor),
            options=fields.pop("options", command.Options()),
            **fields,
        )
        status = await command.main(settings, database_url, request, out)
        return Run(status, out.getvalue())

    return run
