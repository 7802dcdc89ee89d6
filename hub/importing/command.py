"""``hub import jsonl|wordpress``: the operator's side of a run — who imports for which
agency, the source, a progress line on stderr and the summary on stdout.

Exit status: 0 when every item was imported or found unchanged, 2 when some failed (listed
with their reasons), 1 when the run could not go on (the source or the database failed);
running the same command again resumes after the last item handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from hub.context import Context
from hub.db.session import build_engine, build_session_factory
from hub.errors import HubError
from hub.importing.jsonl import JsonLinesSource
from hub.importing.progress import Progress
from hub.importing.runner import Options, Summary, run_import
from hub.importing.source import Source
from hub.importing.wordpress import SourceError, TermMapping, open_site
from hub.resolvers import article_import
from hub.settings import Settings

MAX_PER_PAGE = 100  # WordPress's own limit


class ImportFailed(Exception):
    """The run cannot start or go on; one line for the operator."""


@dataclass(frozen=True)
class Request:
    kind: str  # `jsonl` or `wordpress`
    location: str  # the file, or the site's URL
    agency: str
    email: str  # the account the imports are recorded under
    options: Options
    mapping: TermMapping = field(default_factory=TermMapping)
    since: datetime | None = None
    per_page: int = 50
    progress: bool | None = None  # None: when stderr is a terminal


async def main(settings: Settings, url: str, request: Request, out: TextIO = sys.stdout) -> int:
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise ImportFailed(f"--per-page must be between 1 and {MAX_PER_PAGE}")
    engine = build_engine(url, settings, pool_size=2, name="hub-import")
    try:
        sessions = build_session_factory(engine)
        ctx = Context(settings=settings, sessions=sessions)
        try:
            ctx = Context(
                settings=settings,
                sessions=sessions,
                viewer=await article_import.importer_viewer(ctx, email=request.email),
            )
            target = await article_import.importer(ctx, agency_slug=request.agency)
        except HubError as error:
            raise ImportFailed(error.message) from None
        enabled = sys.stderr.isatty() if request.progress is None else request.progress
        progress = Progress(sys.stderr, enabled=enabled)
        summary = Summary()
        try:
            async with _source(request) as source:
                try:
                    summary = await run_import(ctx, source, target, request.options, progress)
                finally:
                    progress.close(summary, source.total)
                    print_summary(out, source, target.agency_slug, summary)
        except SourceError as error:
            raise ImportFailed(f"{error}; run the command again to resume") from None
        return 2 if summary.failed else 0
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _source(request: Request) -> AsyncIterator[Source]:
    if request.kind == "jsonl":
        yield JsonLinesSource(Path(request.location))
        return
    async with open_site(
        request.location, mapping=request.mapping, per_page=request.per_page, since=request.since
    ) as site:
        yield site


def print_summary(out: TextIO, source: Source, agency: str, summary: Summary) -> None:
    resumed = f", {source.resumed_from}" if source.resumed_from else ""
    out.write(f"{source.title} -> {agency}{resumed}: {summary.read} read\n")
    out.write(
        f"  created {summary.created}, updated {summary.updated}, "
        f"skipped {summary.skipped} (unchanged), failed {len(summary.failed)}\n"
    )
    for label, why in summary.failed:
        out.write(f"  failed {label}: {why}\n")
    out.flush()


def run(settings: Settings, url: str, request: Request) -> int:
    """Run an import to its end (or its interruption: Ctrl-C keeps what was saved)."""
    if request.kind == "jsonl" and not Path(request.location).is_file():
        raise ImportFailed(f"no such file: {request.location}")
    return asyncio.run(main(settings, url, request))


def load_mapping(path: Path | None) -> TermMapping:
    try:
        return TermMapping.from_file(path) if path else TermMapping()
    except ValueError as error:
        raise ImportFailed(str(error)) from None
