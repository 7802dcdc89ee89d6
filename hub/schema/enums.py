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

__all__ = [
    "ArticleCategory",
    "ArticleStatus",
    "Language",
    "MemberRole",
    "PersonMention",
    "RegionLevel",
    "SpeakerRole",
    "TransitionKind",
]
