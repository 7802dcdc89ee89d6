"""ORM models, one module per domain noun. Importing this package registers every table."""

from hub.db.models.account import Account, ApiKey, Membership
from hub.db.models.agency import Agency, AgencyType
from hub.db.models.article import (
    Article,
    ArticlePerson,
    ArticleTransition,
    article_election_stages,
    article_regions,
    article_tags,
    region_feed,
)
from hub.db.models.auth_session import AuthSession
from hub.db.models.election_stage import Election, ElectionStage
from hub.db.models.event import Event, EventSpeaker
from hub.db.models.idempotency import IdempotencyKey
from hub.db.models.import_checkpoint import ImportCheckpoint
from hub.db.models.login_throttle import LoginFailureEntry, LoginThrottle
from hub.db.models.outbox import OutboxEntry
from hub.db.models.persisted_document import PersistedDocument
from hub.db.models.person import Person
from hub.db.models.quota import QuotaCounter, QuotaProcess
from hub.db.models.region import Region
from hub.db.models.search_index import (
    ArticleKeyTerm,
    ArticleSignature,
    RelatedArticle,
    SearchLexeme,
)
from hub.db.models.tag import Tag

__all__ = [
    "Account",
    "Agency",
    "AgencyType",
    "ApiKey",
    "Article",
    "ArticleKeyTerm",
    "ArticlePerson",
    "ArticleSignature",
    "ArticleTransition",
    "AuthSession",
    "Election",
    "ElectionStage",
    "Event",
    "EventSpeaker",
    "IdempotencyKey",
    "ImportCheckpoint",
    "LoginFailureEntry",
    "LoginThrottle",
    "Membership",
    "OutboxEntry",
    "PersistedDocument",
    "Person",
    "QuotaCounter",
    "QuotaProcess",
    "Region",
    "RelatedArticle",
    "SearchLexeme",
    "Tag",
    "article_election_stages",
    "article_regions",
    "article_tags",
    "region_feed",
]
