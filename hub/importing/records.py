"""One article to import, as every source hands it to the runner, and JSON objects read as one.

A JSON record has the fields of the ``importArticle`` input in the API's spelling
(``canonicalUrl``, ``publishedAt``, ``regionCodes``, ...; enums by name or value), and may
name tags by label (``tags``): those are created when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from hub.resolvers.article_write import QuotedPerson
from hub.vocabulary import ArticleCategory, Language, PersonMention


class RecordError(Exception):
    """A record that cannot be imported as it stands; the message says why."""


@dataclass(frozen=True)
class ImportRecord:
    canonical_url: str
    published_at: datetime
    title: str
    body: str
    label: str  # how the summary names it: `line 12`, `post 4711`
    summary: str | None = None
    byline: str | None = None
    category: ArticleCategory = ArticleCategory.NEWS
    language: Language = Language.INDONESIAN
    event_slug: str | None = None
    region_codes: tuple[str, ...] = ()
    tag_slugs: tuple[str, ...] = ()
    tag_labels: tuple[str, ...] = ()  # created when missing
    stage_codes: tuple[str, ...] = ()
    quoted_people: tuple[QuotedPerson, ...] = ()
    featured_image_url: str | None = None
    slug: str | None = None
    origin: str | None = None
    agency_slug: str | None = None  # default: the run's agency

    def content(self, tag_slugs: list[str], default_regions: tuple[str, ...]) -> dict[str, Any]:
        """The content fields of ``import_article`` (tags resolved to ``tag_slugs``)."""
        return {
            "title": self.title,
            "body": self.body,
            "slug": self.slug,
            "summary": self.summary,
            "byline": self.byline,
            "category": self.category,
            "language": self.language,
            "event_slug": self.event_slug,
            "region_codes": list(self.region_codes or default_regions),
            "tag_slugs": tag_slugs,
            "stage_codes": list(self.stage_codes),
            "quoted_people": list(self.quoted_people),
            "featured_image_url": self.featured_image_url,
        }


@dataclass
class _Reader:
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(f"`{name}` is required")
            return None
        if not isinstance(value, str):
            self.problems.append(f"`{name}` must be a string")
            return None
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problems.append(f"`{name}` must be a list of strings")
            return ()
        return tuple(value)

    def choice(self, name: str, enum: type[ArticleCategory] | type[Language], default: Any) -> Any:
        value = self.data.get(name)
        if value is None:
            return default
        for member in enum:
            if value in (member.name, member.value):
                return member
        allowed = ", ".join(member.name for member in enum)
        self.problems.append(f"`{name}` must be one of {allowed}")
        return default


def record_from_json(data: object, *, label: str) -> ImportRecord:
    """An ``ImportRecord`` from a decoded JSON object; ``RecordError`` listing what is wrong."""
    if not isinstance(data, dict):
        raise RecordError("a record must be a JSON object")
    read = _Reader(data)
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        read.problems.append("unknown fields: " + ", ".join(f"`{name}`" for name in unknown))
    url = read.text("canonicalUrl", required=True)
    published = read.text("publishedAt", required=True)
    published_at = None
    if published is not None:
        try:
            published_at = datetime.fromisoformat(published)
        except ValueError:
            read.problems.append("`publishedAt` must be an ISO 8601 date and time")
    record = ImportRecord(
        canonical_url=url or "",
        published_at=published_at or datetime.min,
        title=read.text("title", required=True) or "",
        body=read.text("body", required=True) or "",
        label=label,
        summary=read.text("summary"),
        byline=read.text("byline"),
        category=read.choice("category", ArticleCategory, ArticleCategory.NEWS),
        language=read.choice("language", Language, Language.INDONESIAN),
        event_slug=read.text("eventSlug"),
        region_codes=read.texts("regionCodes"),
        tag_slugs=read.texts("tagSlugs"),
        tag_labels=read.texts("tags"),
        stage_codes=read.texts("stageCodes"),
        quoted_people=_people(read),
        featured_image_url=read.text("featuredImageUrl"),
        slug=read.text("slug"),
        origin=read.text("origin"),
        agency_slug=read.text("agencySlug"),
    )
    if read.problems:
        raise RecordError("; ".join(read.problems))
    return record


def _people(read: _Reader) -> tuple[QuotedPerson, ...]:
    entries = read.data.get("quotedPeople") or []
    people: list[QuotedPerson] = []
    if not isinstance(entries, list):
        read.problems.append("`quotedPeople` must be a list")
        return ()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("personSlug"), str):
            read.problems.append(f"`quotedPeople.{index}` needs a `personSlug`")
            continue
        kind = entry.get("kind", PersonMention.QUOTED.name)
        mention = next((m for m in PersonMention if kind in (m.name, m.value)), None)
        if mention is None:
            read.problems.append(f"`quotedPeople.{index}.kind` must be QUOTED or MENTIONED")
            continue
        quote = entry.get("quote")
        people.append(QuotedPerson(entry["personSlug"], mention, quote if quote else None))
    return tuple(people)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


KNOWN_FIELDS = frozenset(
    _camel(item.name) for item in fields(ImportRecord) if item.name not in ("label", "tag_labels")
) | {"tags"}
