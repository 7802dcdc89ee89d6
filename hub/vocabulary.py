"""The enumerated values of the domain, shared by every layer.

The database enforces them with CHECK constraints, the GraphQL schema exposes them as
enums, the workflow reasons about them. Values are stored lower-case.
"""

from __future__ import annotations

from enum import StrEnum


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


class OutboxKind(StrEnum):
    ARTICLE_APPROVED = "article.approved"
    ARTICLE_CORRECTED = "article.corrected"
    ARTICLE_RETRACTED = "article.retracted"
    ARTICLE_SUBMITTED = "article.submitted"
    ARTICLE_REJECTED = "article.rejected"
    EVENT_CHANGED = "event.changed"


class ApiKeyScope(StrEnum):
    """What a partner agency's API key may do, always within the key's own agency."""

    READ_DRAFTS = "drafts:read"
    SUBMIT_ARTICLES = "articles:submit"
    WRITE_EVENTS = "events:write"


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
