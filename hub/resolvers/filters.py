"""Check the codes, slugs and dates of an article filter and resolve them into ``ArticleFilter``.

Unknown values are ``InvalidInput`` errors naming the field (``filter.region``...), so a typo
never silently yields an empty list. Used by every article list and by live feeds.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Agency, AgencyType, ElectionStage, Event, Person, Tag
from hub.db.repositories import region as region_repository
from hub.errors import InvalidInput
from hub.filters import NO_FILTER, ArticleFilter
from hub.vocabulary import ArticleCategory, Language

if TYPE_CHECKING:
    from hub.context import Context

# (argument, model, natural-key column, value column) of the look-ups by natural key.
LOOKUPS: dict[str, tuple[str, Any, Any]] = {
    "agency": ("agency slug", Agency.slug, Agency.id),
    "agency_type": ("agency type code", AgencyType.code, AgencyType.code),
    "event": ("event slug", Event.slug, Event.id),
    "election_stage": ("election stage code", ElectionStage.code, ElectionStage.code),
    "tag": ("tag slug", Tag.slug, Tag.id),
    "person": ("person slug", Person.slug, Person.id),
}
GRAPHQL_NAMES = {"agency_type": "agencyType", "election_stage": "electionStage"}


async def resolve_article_filter(
    ctx: Context,
    *,
    region: str | None = None,
    agency: str | None = None,
    agency_type: str | None = None,
    event: str | None = None,
    election_stage: str | None = None,
    tag: str | None = None,
    person: str | None = None,
    category: ArticleCategory | None = None,
    language: Language | None = None,
    published_after: datetime | None = None,
    published_before: datetime | None = None,
    argument: str = "filter",
) -> ArticleFilter:
    given = {
        "agency": agency,
        "agency_type": agency_type,
        "event": event,
        "election_stage": election_stage,
        "tag": tag,
        "person": person,
    }
    if published_after and published_before and published_after >= published_before:
        raise InvalidInput(
            "`publishedAfter` must be earlier than `publishedBefore`",
            field=f"{argument}.publishedBefore",
        )
    others = (category, language, published_after, published_before)
    if region is None and not any(given.values()) and others == (None,) * 4:
        return NO_FILTER
    subtree: tuple[str, ...] = ()
    if region is not None:  # regions are reference data: checked against the cached tree
        subtree = tuple((await region_repository.region_tree(ctx.reads)).subtree(region))
        if not subtree:
            raise InvalidInput(f"unknown region code `{region}`", field=f"{argument}.region")
    found: dict[str, Any] = {}
    if any(value is not None for value in given.values()):
        async with ctx.reads() as session:
            for name, value in given.items():
                if value is not None:
                    found[name] = await _look_up(session, name, value, argument)
    return ArticleFilter(
        region_code=region,
        region_subtree=subtree,
        agency_id=found.get("agency"),
        agency_type=found.get("agency_type"),
        event_id=found.get("event"),
        stage_code=found.get("election_stage"),
        tag_id=found.get("tag"),
        tag_slug=tag,
        person_id=found.get("person"),
        category=category,
        language=language,
        published_after=published_after,
        published_before=published_before,
    )


async def _look_up(session: AsyncSession, name: str, value: str, argument: str) -> Any:
    label, key_column, value_column = LOOKUPS[name]
    result = await session.scalar(select(value_column).where(key_column == value))
    if result is None:
        field = f"{argument}.{GRAPHQL_NAMES.get(name, name)}"
        raise InvalidInput(f"unknown {label} `{value}`", field=field)
    return result
