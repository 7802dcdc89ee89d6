"""GraphQL enums over the domain vocabulary: the same classes, registered with descriptions.

GraphQL shows the member names (``APPROVED``); the database stores the values (``approved``).
"""

from __future__ import annotations

import strawberry

from hub.vocabulary import (
    ArticleCategory,
    ArticleStatus,
    Language,
    MemberRole,
    PersonMention,
    RegionLevel,
    RelatedReason,
    SpeakerRole,
    TransitionKind,
)

strawberry.enum(RegionLevel, description="Level of a region.")
strawberry.enum(SpeakerRole, description="Role of a speaker at an event.")
strawberry.enum(ArticleStatus, description="Workflow status of an article.")
strawberry.enum(ArticleCategory, description="Kind of article.")
strawberry.enum(Language, description="Language of an article.")
strawberry.enum(PersonMention, description="How a person appears in an article.")
strawberry.enum(MemberRole, description="Role of an account within an agency.")
strawberry.enum(TransitionKind, description="Kind of step in an article's history.")
strawberry.enum(
    RelatedReason,
    description="Why an article is related coverage: `SAME_EVENT`, both are linked to the "
    "same event; `SAME_STORY`, their texts tell the same story.",
)

__all__ = [
    "ArticleCategory",
    "ArticleStatus",
    "Language",
    "MemberRole",
    "PersonMention",
    "RegionLevel",
    "RelatedReason",
    "SpeakerRole",
    "TransitionKind",
]
