"""The enumerated values of the domain, shared by every layer.

The database enforces them with CHECK constraints, the GraphQL schema exposes them as
enums, the workflow reasons about them. Values are stored lower-case.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

CALENDAR_ZONE = timezone(timedelta(hours=7), "WIB")
"""The zone of calendar days without a time (all-day events): Western Indonesia Time, the
national reference of election schedules. A fixed offset: Indonesia has no daylight saving."""


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in ``CALENDAR_ZONE``, as stored for all-day events."""
    return datetime(day.year, day.month, day.day, tzinfo=CALENDAR_ZONE)


def calendar_day(moment: datetime) -> date:
    """The ``CALENDAR_ZONE`` day of a stored moment (inverse of ``day_start``)."""
    return moment.astimezone(CALENDAR_ZONE).date()


class RegionLevel(StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"


class MemberRole(StrEnum):
    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"


class SpeakerRole(StrEnum):
    OPENING = "opening"
    KEYNOTE = "keynote"
    SPEAKER = "speaker"
    MODERATOR = "moderator"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETRACTED = "retracted"


class TransitionKind(StrEnum):
    """What a step of an article's history was (its workflow log)."""

    CREATED = "created"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REOPENED = "reopened"
    RETRACTED = "retracted"
    CORRECTED = "corrected"
    IMPORTED = "imported"  # published elsewhere first, brought in with its original date


class ImportOutcome(StrEnum):
    """What importing an article did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the same content was imported before: nothing written


class ArticleCategory(StrEnum):
    NEWS = "news"
    PRESS_RELEASE = "press_release"
    ANNOUNCEMENT = "announcement"
    FEATURE = "feature"
    OPINION = "opinion"


class Language(StrEnum):
    INDONESIAN = "id"
    ENGLISH = "en"


class PersonMention(StrEnum):
    QUOTED = "quoted"
    MENTIONED = "mentioned"


class RelatedReason(StrEnum):
    """Why two articles are related coverage: linked to the same event, or found to tell the
    same story from their text."""

    SAME_EVENT = "same_event"
    SAME_STORY = "same_story"


class OutboxKind(StrEnum):
    ARTICLE_APPROVED = "article.approved"
    ARTICLE_CORRECTED = "article.corrected"
    ARTICLE_RETRACTED = "article.retracted"
    ARTICLE_SUBMITTED = "article.submitted"
    ARTICLE_REJECTED = "article.rejected"
    ARTICLE_IMPORTED = "article.imported"  # an import its caller asked to stream live
    ARTICLE_BACKFILLED = "article.backfilled"  # an import kept out of live streams
    EVENT_CHANGED = "event.changed"


class ApiKeyScope(StrEnum):
    """What a partner agency's API key may do, always within the key's own agency."""

    READ_DRAFTS = "drafts:read"
    SUBMIT_ARTICLES = "articles:submit"
    WRITE_EVENTS = "events:write"
    IMPORT_ARTICLES = "articles:import"
    INTROSPECT = "schema:introspect"  # introspection in production (client generators)


class ThrottleSubject(StrEnum):
    """What failed logins are counted against: the e-mail address tried, the client address."""

    ACCOUNT = "account"
    ADDRESS = "address"


class LoginFailure(StrEnum):
    """Why a login attempt failed (the audit log's ``reason``)."""

    WRONG_PASSWORD = "wrong_password"  # noqa: S105
    UNKNOWN_ACCOUNT = "unknown_account"
    DISABLED_ACCOUNT = "disabled_account"
    THROTTLED = "throttled"  # refused before the password was checked
