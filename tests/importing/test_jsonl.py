"""``hub import jsonl``: records as the API spells them, failures with their reasons, and
runs that continue where the last one stopped (lines appended) or start again (a new file)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article, Tag
from hub.importing.command import ImportFailed
from hub.importing.progress import Progress, line
from hub.importing.records import RecordError, record_from_json
from hub.importing.runner import Options, Summary
from tests.importing.conftest import AGENCY, RunImport

Sessions = async_sessionmaker[AsyncSession]
SITE = "https://kpu-kukar.example.go.id/berita"


def article(number: int, **changes: Any) -> dict[str, Any]:
    return {
        "canonicalUrl": f"{SITE}/{number}",
        "publishedAt": f"2024-11-{number:02d}T08:00:00+08:00",
        "title": f"Persiapan logistik pilkada, bagian {number}",
        "body": f"<p>Gudang logistik KPU menerima kiriman surat suara tahap {number}.</p>",
        "stageCodes": ["pilkada_pemungutan_suara"],
        "tags": ["Logistik Pemilu"],
        **changes,
    }


def write(path: Path, *lines: object, mode: str = "w") -> None:
    with path.open(mode, encoding="utf-8") as file:
        for entry in lines:
            file.write((entry if isinstance(entry, str) else json.dumps(entry)) + "\n")


async def count(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(select(func.count()).where(Article.canonical_url.startswith(SITE)))
            or 0
        )


async def test_records_failures_and_resuming(
    run_import: RunImport, sessions: Sessions, tmp_path: Path
) -> None:
    archive = tmp_path / "arsip.jsonl"
    write(
        archive,
        article(1),
        article(2, category="PRESS_RELEASE", regionCodes=["64.02"]),
        "",
        "{not json",
        article(3, publishedAt=None, colour="merah"),
        article(4, regionCodes=["99.99"]),
        article(1, title="Persiapan logistik pilkada, bagian 1 (diperbarui)"),
    )
    run = await run_import("jsonl", str(archive))
    assert run.status == 2
    assert run.lines[:2] == [
        f"{archive} -> {AGENCY}: 6 read",
        "  created 2, updated 1, skipped 0 (unchanged), failed 3",
    ]
    failures = run.lines[2:]
    assert failures[0].startswith("  failed line 4: not a JSON object")
    assert failures[1] == "  failed line 5: unknown fields: `colour`; `publishedAt` is required"
    assert failures[2] == "  failed line 6: regionCodes: unknown region codes: `99.99`"
    assert await count(sessions) == 2
    async with sessions() as session:
        second = (
            await session.scalars(select(Article).where(Article.canonical_url == f"{SITE}/2"))
        ).one()
        tags = (await session.scalars(select(Tag.slug).where(Tag.label == "Logistik Pemilu"))).all()
    assert second.category == "press_release"
    assert tags == ["logistik-pemilu"]

    # Lines appended since: only those are read.
    write(archive, article(5), article(6), mode="a")
    run = await run_import("jsonl", str(archive))
    assert run.status == 0
    assert run.lines == [
        f"{archive} -> {AGENCY}, after line 7: 2 read",
        "  created 2, updated 0, skipped 0 (unchanged), failed 0",
    ]

    # A rewritten file is read from its start: what was imported is unchanged.
    write(archive, article(5), article(7))
    run = await run_import("jsonl", str(archive))
    assert run.lines[:2] == [
        f"{archive} -> {AGENCY}: 2 read",
        "  created 1, updated 0, skipped 1 (unchanged), failed 0",
    ]
    # --full reads the file again from its start.
    run = await run_import("jsonl", str(archive), options=Options(full=True))
    assert run.lines[1] == "  created 0, updated 0, skipped 2 (unchanged), failed 0"
    assert await count(sessions) == 5


async def test_an_account_that_may_not_import_is_refused(
    run_import: RunImport, sessions: Sessions, tmp_path: Path
) -> None:
    archive = tmp_path / "arsip.jsonl"
    write(archive, article(1))
    with pytest.raises(ImportFailed, match="may not import articles for diskominfo-ppu"):
        await run_import("jsonl", str(archive), agency="diskominfo-ppu")
    with pytest.raises(ImportFailed, match="no active account"):
        await run_import("jsonl", str(archive), email="siapa@contoh.go.id")
    assert await count(sessions) == 0


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "a record must be a JSON object"),
        ({"title": "x"}, "`canonicalUrl` is required; `publishedAt` is required; `body`"),
        ({**article(1), "publishedAt": "kemarin"}, "`publishedAt` must be an ISO 8601"),
        ({**article(1), "category": "GOSIP"}, "`category` must be one of NEWS"),
        ({**article(1), "tags": "pilkada"}, "`tags` must be a list of strings"),
        ({**article(1), "quotedPeople": [{"kind": "QUOTED"}]}, "needs a `personSlug`"),
    ],
)
def test_unreadable_records(data: object, problem: str) -> None:
    with pytest.raises(RecordError, match=problem.replace("(", r"\(")):
        record_from_json(data, label="line 1")


def test_the_progress_line() -> None:
    summary = Summary(created=30, updated=2, skipped=3, failed=[("post 1", "x"), ("post 2", "y")])
    assert line(summary, 120) == (
        "[#######-----------------] 37/120  created 30  updated 2  skipped 3  failed 2"
    )
    assert line(summary, None) == "37 read  created 30  updated 2  skipped 3  failed 2"
    stream = io.StringIO()
    progress = Progress(stream, enabled=True)
    progress(summary, 120)
    progress.close(summary, 120)
    assert stream.getvalue().startswith("\r[#######")
    assert stream.getvalue().endswith("\n")
    quiet = io.StringIO()
    Progress(quiet, enabled=False).close(summary, 120)
    assert quiet.getvalue() == ""
