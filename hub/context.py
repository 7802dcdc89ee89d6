"""Per-request context: settings, session factory, viewer and request-scoped DataLoaders.

Built for every HTTP request and once per WebSocket connection. Loaders memoise per request;
the session *factory* (not a session) is shared so concurrent resolvers never share one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from hub.auth import ANONYMOUS, Viewer
from hub.db import loaders, nested
from hub.db.history import LoggedTransition, transitions_by_article_id
from hub.db.keyset import PageRows
from hub.db.loaders import HighlightKey, RelatedKey
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
)
from hub.db.nested import ChildCountKey, ChildPageKey
from hub.db.repositories.related_coverage import Related
from hub.db.session import SessionFactory, read_only
from hub.quota import QuotaDecision
from hub.request_id import current_request_id, new_request_id
from hub.settings import Settings

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    batch: Callable[[SessionFactory, Sequence[K]], Awaitable[list[V]]], sessions: SessionFactory
) -> DataLoader[K, V]:
    return DataLoader(load_fn=partial(batch, sessions))


@dataclass
class Loaders:
    """One DataLoader per edge of the graph, named ``<thing>_by_<key>``."""

    region_by_code: DataLoader[str, Region | None]
    region_children: DataLoader[str, list[Region]]
    agency_by_id: DataLoader[int, Agency | None]
    agency_type_by_code: DataLoader[str, AgencyType | None]
    event_by_id: DataLoader[int, Event | None]
    person_by_id: DataLoader[int, Person | None]
    tag_by_id: DataLoader[int, Tag | None]
    election_by_code: DataLoader[str, Election | None]
    stage_by_code: DataLoader[str, ElectionStage | None]
    article_by_id: DataLoader[int, Article | None]
    speakers_by_event_id: DataLoader[int, list[EventSpeaker]]
    regions_by_article_id: DataLoader[int, list[Region]]
    tags_by_article_id: DataLoader[int, list[Tag]]
    stages_by_article_id: DataLoader[int, list[ElectionStage]]
    mentions_by_article_id: DataLoader[int, list[ArticlePerson]]
    child_pages: DataLoader[ChildPageKey, PageRows[Any]]
    child_counts: DataLoader[ChildCountKey, int]
    related_by_article: DataLoader[RelatedKey, PageRows[Related]]
    highlights_by_article: DataLoader[HighlightKey, tuple[str, str] | None]
    search_corrections: DataLoader[tuple[str, ...], dict[str, str]]
    transitions_by_article_id: DataLoader[int, list[LoggedTransition]]

    @classmethod
    def build(cls, sessions: SessionFactory, viewer: Viewer) -> Loaders:
        def seen_by(batch: Callable[..., Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
            return DataLoader(load_fn=partial(batch, sessions, viewer))

        return cls(
            region_by_code=_loader(loaders.regions_by_code, sessions),
            region_children=_loader(loaders.region_children, sessions),
            agency_by_id=_loader(loaders.agencies_by_id, sessions),
            agency_type_by_code=_loader(loaders.agency_types_by_code, sessions),
            event_by_id=_loader(loaders.events_by_id, sessions),
            person_by_id=_loader(loaders.people_by_id, sessions),
            tag_by_id=_loader(loaders.tags_by_id, sessions),
            election_by_code=_loader(loaders.elections_by_code, sessions),
            stage_by_code=_loader(loaders.stages_by_code, sessions),
            article_by_id=seen_by(loaders.articles_by_id),
            speakers_by_event_id=_loader(loaders.speakers_by_event_id, sessions),
            regions_by_article_id=_loader(loaders.regions_by_article_id, sessions),
            tags_by_article_id=_loader(loaders.tags_by_article_id, sessions),
            stages_by_article_id=_loader(loaders.stages_by_article_id, sessions),
            mentions_by_article_id=_loader(loaders.mentions_by_article_id, sessions),
            child_pages=seen_by(nested.child_pages),
            child_counts=seen_by(nested.child_counts),
            related_by_article=seen_by(loaders.related_by_article),
            highlights_by_article=_loader(loaders.highlights_by_article, sessions),
            search_corrections=_loader(loaders.search_corrections, sessions),
            transitions_by_article_id=_loader(transitions_by_article_id, sessions),
        )


@dataclass
class Context:
    settings: Settings
    sessions: SessionFactory
    request: Request | WebSocket | None = None
    response: Response | None = None
    viewer: Viewer = ANONYMOUS
    authorization: str | None = None  # the credential ``viewer`` was authenticated from
    client_address: str | None = None  # what per-address limits count against (hub.addresses)
    # where a live transport's client got to (Last-Event-ID, connection_init's ``resume``): a
    # subscription resumes after the later of this and its ``after`` argument
    resume_after: str | None = None
    quota: QuotaDecision | None = None  # the quota decision on this request (HTTP only)
    retry_after: int | None = None  # seconds; set by a refusal that asks the client to wait
    request_id: str = field(default_factory=lambda: current_request_id() or new_request_id())
    loaders: Loaders = field(init=False)
    reads: SessionFactory = field(init=False)  # autocommit sessions for reads
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reads = read_only(self.sessions)
        self.loaders = Loaders.build(self.reads, self.viewer)

    def ask_retry_after(self, seconds: int) -> None:
        """The response tells the client to wait ``seconds`` (the longest asked for)."""
        self.retry_after = max(self.retry_after or 0, seconds)
