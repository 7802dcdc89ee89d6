"""Where each field of the read types comes from: one declaration per field.

``TYPES`` maps a GraphQL object type to its model and, per GraphQL field, its source:

- ``Column``: a column of the type's row, with how its value is rendered in a response
  (as is, a global ID, an enum's name, a timestamp);
- ``ToOne``: another type's row, found by a key column of this row (nullable or not);
- ``Listed``: a bounded list of another type's rows through a link table, in a fixed order;
- ``Children``: a bounded list of rows of another type pointing at this row, in a fixed order;
- ``Paged``: a connection, one of the nested lists of ``hub/db/nested.py`` (by name);
- ``Computed``: a fragment computed for the row by a named builder (related coverage...).

Every reader of the read path derives from these: the article list's fast path
(``hub/schema/projection.py``, ``hub/db/repositories/article_rows.py``) and the compiled
read statements (``hub/db/compiled.py``). A field without a declaration is served by its
Strawberry resolver only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import Table

from hub.db.models import (
    Agency,
    AgencyType,
    Article,
    ArticlePerson,
    Election,
    ElectionStage,
    Event,
    EventSpeaker,
    Person,
    Region,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.vocabulary import (
    ArticleCategory,
    ArticleStatus,
    Language,
    PersonMention,
    RegionLevel,
    SpeakerRole,
)


class Render(Enum):
    """How a column's value appears in a response."""

    PLAIN = "plain"  # strings, integers, booleans, dates (ISO days)
    GLOBAL_ID = "global_id"  # the type's global ID of the key
    ENUM = "enum"  # the name of the enum member with that value
    TIMESTAMP = "timestamp"  # ISO 8601 with its UTC offset
    FLOAT = "float"  # a double, always written with a fraction


@dataclass(frozen=True)
class Column:
    name: str  # attribute of the model
    render: Render = Render.PLAIN
    enum: type[StrEnum] | None = None


@dataclass(frozen=True)
class ToOne:
    target: str  # GraphQL type
    key: str  # column of this row holding the target's key
    nullable: bool = True


@dataclass(frozen=True)
class Listed:
    target: str
    link: Table  # link table: ``article_id`` and the target's key
    target_key: str  # column of the link table holding the target's key
    order: str  # column of the target ordering the list


@dataclass(frozen=True)
class Children:
    target: str
    parent_key: str  # column of the target holding this row's key
    order: tuple[str, ...]  # columns of the target ordering the list


@dataclass(frozen=True)
class Paged:
    child_list: str  # name in ``hub.db.nested.CHILD_LISTS``
    target: str


@dataclass(frozen=True)
class Computed:
    builder: str  # name of the fragment's builder (see ``hub/db/compiled.py``)
    columns: tuple[str, ...] = ()  # columns of the row it is computed from


Source = Column | ToOne | Listed | Children | Paged | Computed


@dataclass(frozen=True)
class Declared:
    model: Any  # the mapped class
    key: str  # its key column (what global IDs and relations refer to)
    fields: dict[str, Source] = field(default_factory=dict)

    def columns(self) -> dict[str, Column]:
        return {name: src for name, src in self.fields.items() if isinstance(src, Column)}


def _id(key: str = "id") -> Column:
    return Column(key, Render.GLOBAL_ID)


def _time(name: str) -> Column:
    return Column(name, Render.TIMESTAMP)


def _enum(name: str, enum: type[StrEnum]) -> Column:
    return Column(name, Render.ENUM, enum)


TYPES: dict[str, Declared] = {
    "Article": Declared(
        Article,
        "id",
        {
            "id": _id(),
            "slug": Column("slug"),
            "title": Column("title"),
            "summary": Column("summary"),
            "body": Column("body"),
            "byline": Column("byline"),
            "category": _enum("category", ArticleCategory),
            "language": _enum("language", Language),
            "status": _enum("status", ArticleStatus),
            "canonicalUrl": Column("canonical_url"),
            "featuredImageUrl": Column("featured_image_url"),
            "publishedAt": _time("published_at"),
            "viewCount": Column("view_count"),
            "version": Column("version"),
            "retractedAt": _time("retracted_at"),
            "retractionReason": Column("retraction_reason"),
            "correctedAt": _time("corrected_at"),
            "correctionNote": Column("correction_note"),
            "agency": ToOne("Agency", "source_agency_id", nullable=False),
            "event": ToOne("Event", "event_id"),
            "regions": Listed("Region", article_regions, "region_code", "code"),
            "tags": Listed("Tag", article_tags, "tag_id", "slug"),
            "electionStages": Listed(
                "ElectionStage", article_election_stages, "stage_code", "ordinal"
            ),
            "people": Children("ArticlePerson", "article_id", ("position", "id")),
            "relatedCoverage": Computed("related_coverage"),
        },
    ),
    "ArticlePerson": Declared(
        ArticlePerson,
        "id",
        {
            "kind": _enum("kind", PersonMention),
            "quote": Column("quote"),
            "person": ToOne("Person", "person_id", nullable=False),
        },
    ),
    "Agency": Declared(
        Agency,
        "id",
        {
            "id": _id(),
            "slug": Column("slug"),
            "name": Column("name"),
            "acronym": Column("acronym"),
            "website": Column("website"),
            "version": Column("version"),
            "type": ToOne("AgencyType", "type_code", nullable=False),
            "region": ToOne("Region", "region_code"),
            "parent": ToOne("Agency", "parent_id"),
            "people": Paged("agency.people", "Person"),
            "events": Paged("agency.events", "Event"),
            "articles": Paged("agency.articles", "Article"),
        },
    ),
    "Event": Declared(
        Event,
        "id",
        {
            "id": _id(),
            "slug": Column("slug"),
            "title": Column("title"),
            "description": Column("description"),
            "theme": Column("theme"),
            "venue": Column("venue"),
            "startsAt": _time("starts_at"),
            "endsAt": _time("ends_at"),
            "allDay": Column("all_day"),
            "startsOn": Computed("calendar_day", ("starts_at",)),
            "endsOn": Computed("calendar_day", ("ends_at",)),
            "version": Column("version"),
            "region": ToOne("Region", "region_code"),
            "organiser": ToOne("Agency", "organiser_id"),
            "speakers": Children("EventSpeaker", "event_id", ("position", "person_id")),
            "articles": Paged("event.articles", "Article"),
        },
    ),
    "EventSpeaker": Declared(
        EventSpeaker,
        "event_id",
        {
            "role": _enum("role", SpeakerRole),
            "topic": Column("topic"),
            "person": ToOne("Person", "person_id", nullable=False),
        },
    ),
    "Person": Declared(
        Person,
        "id",
        {
            "id": _id(),
            "slug": Column("slug"),
            "name": Column("name"),
            "position": Column("position"),
            "version": Column("version"),
            "agency": ToOne("Agency", "agency_id"),
            "events": Paged("person.events", "Event"),
            "articles": Paged("person.articles", "Article"),
        },
    ),
    "Region": Declared(
        Region,
        "code",
        {
            "id": _id("code"),
            "code": Column("code"),
            "name": Column("name"),
            "level": _enum("level", RegionLevel),
            "parent": ToOne("Region", "parent_code"),
            "ancestors": Computed("ancestors"),
            "children": Children("Region", "parent_code", ("code",)),
            "agencies": Paged("region.agencies", "Agency"),
            "events": Paged("region.events", "Event"),
            "articles": Paged("region.articles", "Article"),
        },
    ),
    "Tag": Declared(
        Tag,
        "id",
        {
            "id": _id(),
            "slug": Column("slug"),
            "label": Column("label"),
            "articles": Paged("tag.articles", "Article"),
        },
    ),
    "ElectionStage": Declared(
        ElectionStage,
        "code",
        {
            "id": _id("code"),
            "code": Column("code"),
            "name": Column("name"),
            "nameEn": Column("name_en"),
            "startsOn": Column("starts_on"),
            "endsOn": Column("ends_on"),
            "ordinal": Column("ordinal"),
            "legalBasis": Column("legal_basis"),
            "election": ToOne("Election", "election_code", nullable=False),
            "articles": Paged("stage.articles", "Article"),
        },
    ),
    "Election": Declared(
        Election,
        "code",
        {
            "id": _id("code"),
            "code": Column("code"),
            "name": Column("name"),
            "nameEn": Column("name_en"),
            "votingDay": Column("voting_day"),
            "legalBasis": Column("legal_basis"),
        },
    ),
    "AgencyType": Declared(
        AgencyType,
        "code",
        {
            "id": _id("code"),
            "code": Column("code"),
            "name": Column("name"),
            "nameEn": Column("name_en"),
            "description": Column("description"),
            "source": Column("source"),
            "version": Column("version"),
        },
    ),
}

# Types implementing ``Node`` (a fragment on ``Node`` applies to them).
NODE_TYPES = frozenset(name for name, declared in TYPES.items() if "id" in declared.fields)
