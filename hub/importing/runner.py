"""Run a source into Hub: import each record, save the position after each, count outcomes.

Each record goes through ``hub.resolvers.article_import`` (the ``importArticle`` pipeline)
as the run's viewer: its tags by label are created first, then the article is imported. A
record that fails is counted with its reason and the run goes on. The position in the source
is saved after every item (its own short transaction, after the import's): a run stopped at
any point resumes after the last item saved, and an item imported but not yet saved is found
``UNCHANGED`` the next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hub.errors import HubError, flatten
from hub.importing.records import ImportRecord
from hub.importing.source import Source
from hub.resolvers import article_import
from hub.resolvers.article_import import Importer
from hub.vocabulary import ImportOutcome

if TYPE_CHECKING:
    from hub.context import Context


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # imported before and unchanged
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item, why)

    @property
    def read(self) -> int:
        return self.created + self.updated + self.skipped + len(self.failed)

    def count(self, outcome: ImportOutcome) -> None:
        if outcome is ImportOutcome.CREATED:
            self.created += 1
        elif outcome is ImportOutcome.UPDATED:
            self.updated += 1
        else:
            self.skipped += 1


@dataclass(frozen=True)
class Options:
    regions: tuple[str, ...] = ()  # for records that name none (default: the agency's region)
    stream: bool = False  # deliver the imports to live subscribers
    full: bool = False  # read the source from the start, ignoring the saved position


Report = Callable[[Summary, int | None], None]


async def run_import(
    ctx: Context,
    source: Source,
    target: Importer,
    options: Options,
    report: Report = lambda summary, total: None,
) -> Summary:
    """Import what ``source`` holds after its saved position (see the module)."""
    start = None
    if not options.full:
        start = await article_import.saved_position(
            ctx, source=source.key, agency_id=target.agency_id
        )
    summary = Summary()
    regions = options.regions or ((target.region_code,) if target.region_code else ())
    async for item in source.items(start):
        if item.record is None:
            summary.failed.append((item.label, item.problem or "unreadable"))
        else:
            try:
                summary.count(await _import(ctx, item.record, target, regions, options.stream))
            except HubError as error:
                summary.failed.append((item.label, _reasons(error)))
        await article_import.save_position(
            ctx, source=source.key, agency_id=target.agency_id, position=item.position
        )
        report(summary, source.total)
    return summary


async def _import(
    ctx: Context, record: ImportRecord, target: Importer, regions: tuple[str, ...], stream: bool
) -> ImportOutcome:
    tags = await article_import.ensure_tags(ctx, record.tag_labels)
    imported = await article_import.import_article(
        ctx,
        agency_slug=record.agency_slug or target.agency_slug,
        canonical_url=record.canonical_url,
        published_at=record.published_at,
        fields=record.content(list(dict.fromkeys([*tags, *record.tag_slugs])), regions),
        origin=record.origin,
        stream=stream,
    )
    return imported.outcome


def _reasons(error: HubError) -> str:
    return "; ".join(
        f"{item.field}: {item.message}" if item.field else item.message for item in flatten(error)
    )
