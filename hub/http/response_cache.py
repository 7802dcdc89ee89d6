"""The process's response cache: answers to anonymous read queries, dropped by the outbox.

An answer is kept under its request's key — the document, the variables (canonical JSON), the
operation name, and the deployment's environment — when the viewer is anonymous (no
``Authorization``), the operation is a query and it ran without errors. It is tagged with
what it read (:mod:`hub.reads`); every outbox change this process's broker dispatches drops
the answers it makes stale (:mod:`hub.http.invalidation`), at the moment the live feeds see
it, in every process (each follows the outbox). Capacity is counted in bytes (least recently
used answers go first); answers also expire after ``HUB_RESPONSE_CACHE_TTL`` seconds, which
bounds what the outbox does not carry (directory edits, view counts, today's stage).

Ordering: a fill notes how many changes the process had seen when it started reading. An
answer is kept only if no change seen since hits its tags (the read may predate that
change, whose invalidation came before the answer existed), so nothing older than a change
the process has seen is ever served. While the broker cannot read the outbox, the cache is
emptied and keeps nothing (``interrupted``) until the outbox is followed again.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import orjson
from graphql import GraphQLError, OperationType, parse
from graphql.utilities import get_operation_ast

from hub import reads
from hub.auth import ANONYMOUS
from hub.context import Context
from hub.http.invalidation import Stale, feed, stale
from hub.http.operation import Operation
from hub.realtime.changes import Change, Stream
from hub.realtime.cursor import ORIGIN, Position
from hub.realtime.filters import ArticleFilter as Feed
from hub.realtime.filters import IndexKey, change_keys
from hub.settings import Settings

Key = tuple[str, str, bytes, str]
ENTRY_OVERHEAD = 600  # bytes of bookkeeping per entry (the entry, its index sets), roughly
RECENT_CHANGES = 4096  # changes remembered for fills in flight; an older fill keeps nothing


@dataclass(slots=True)
class Entry:
    body: bytes
    size: int
    expires: float
    entities: frozenset[reads.Entity]
    feeds: frozenset[Feed]
    event_lists: bool


@dataclass(slots=True)
class Fill:
    """One cacheable request being answered: its key, its reads, and how many changes the
    process had seen (and how often the cache was emptied) when it started."""

    key: Key | None
    seen: int = 0
    generation: int = 0
    reads: reads.Reads | None = None


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    invalidations: int = 0  # entries dropped by changes
    evictions: int = 0  # entries dropped for room
    expirations: int = 0
    late: int = 0  # answers not kept: a change seen during their fill hit them
    entries: int = 0
    bytes: int = 0
    capacity: int = 0

    @property
    def hit_ratio(self) -> float:
        looked_up = self.hits + self.misses
        return self.hits / looked_up if looked_up else 0.0


class ResponseCache:
    def __init__(self, settings: Settings) -> None:
        self.capacity = settings.response_cache_bytes
        self.ttl = settings.response_cache_ttl
        self.environment = settings.environment.value
        self.stats = CacheStats(capacity=self.capacity)
        self.position: Position = ORIGIN  # of the last change seen
        self.following = False  # until the broker starts, and while it cannot read
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._by_entity: dict[reads.Entity, set[Key]] = {}
        self._by_feed: dict[IndexKey, dict[Feed, set[Key]]] = {}
        self._event_lists: set[Key] = set()
        self._seen = 0  # changes seen
        self._recent: deque[Stale] = deque(maxlen=RECENT_CHANGES)
        self._generation = 0

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    # -- requests ----------------------------------------------------------------------------

    def key_for(self, context: Context, operation: Operation) -> Key | None:
        """The request's key; ``None`` when its answer is not cached (not anonymous, no
        document, or the cache is off)."""
        if (
            not self.enabled
            or context.authorization is not None
            or context.viewer != ANONYMOUS
            or operation.query is None
        ):
            return None
        try:
            variables = (
                orjson.dumps(operation.variables, option=orjson.OPT_SORT_KEYS)
                if operation.variables
                else b""
            )
        except TypeError:  # not text (a lone surrogate): refused by the input check, not kept
            return None
        return (self.environment, operation.query, variables, operation.operation_name or "")

    def get(self, key: Key | None) -> bytes | None:
        if key is None:
            return None
        entry = self._entries.get(key) if self.following else None
        if entry is not None and entry.expires <= time.monotonic():
            self._drop(key)
            self.stats.expirations += 1
            entry = None
        if entry is None:
            self.stats.misses += 1
            return None
        self._entries.move_to_end(key)
        self.stats.hits += 1
        return entry.body

    @contextlib.contextmanager
    def filling(self, key: Key | None) -> Iterator[Fill]:
        """Around the execution of a request that missed: records what it reads."""
        if key is None:
            yield Fill(None)
            return
        with reads.recording() as recorded:
            yield Fill(key, self._seen, self._generation, recorded)

    def keep(self, fill: Fill, body: bytes, *, query: str, operation_name: str | None) -> None:
        """Keep an answer that ran without errors, if it may be (see the module's doc)."""
        key, recorded = fill.key, fill.reads
        if key is None or recorded is None or not self.following:
            return
        if fill.generation != self._generation or not is_query(query, operation_name):
            return
        feeds = frozenset(feed(article_filter) for article_filter in recorded.article_lists)
        entities = frozenset(recorded.entities)
        since = self._seen - fill.seen
        if since > len(self._recent) or any(
            change.hits(entities, feeds, recorded.event_lists)
            for change in list(self._recent)[len(self._recent) - since :]
        ):
            self.stats.late += 1
            return
        size = len(body) + len(key[1]) + len(key[2]) + len(key[3]) + ENTRY_OVERHEAD
        if size > self.capacity:
            return
        if key in self._entries:
            self._drop(key)
        entry = Entry(
            body, size, time.monotonic() + self.ttl, entities, feeds, recorded.event_lists
        )
        self._entries[key] = entry
        self.stats.bytes += size
        for entity in entities:
            self._by_entity.setdefault(entity, set()).add(key)
        for listed in feeds:
            self._by_feed.setdefault(listed.index_key(), {}).setdefault(listed, set()).add(key)
        if entry.event_lists:
            self._event_lists.add(key)
        while self.stats.bytes > self.capacity:
            oldest = next(iter(self._entries))
            self._drop(oldest)
            self.stats.evictions += 1
        self.stats.entries = len(self._entries)

    # -- the outbox (a follower of the broker) -------------------------------------------------

    def caught_up(self, position: Position) -> None:
        """The broker has read every committed change up to ``position``."""
        self.position = max(self.position, position)
        self.following = True

    def changed(self, changes: Sequence[Change]) -> None:
        """Changes the broker is dispatching, in stream order."""
        for change in changes:
            hit = stale(change)
            self._seen += 1
            self._recent.append(hit)
            self.position = max(self.position, change.position)
            dropped = self._stale_keys(hit)
            for key in dropped:
                self._drop(key)
            self.stats.invalidations += len(dropped)

    def interrupted(self) -> None:
        """The broker could not read the outbox: changes may go unseen for a while."""
        self.following = False
        self.clear()

    def clear(self) -> None:
        self._generation += 1
        for key in list(self._entries):
            self._drop(key)

    # -- bookkeeping -------------------------------------------------------------------------

    def _stale_keys(self, hit: Stale) -> set[Key]:
        if hit.everything:
            return set(self._entries)
        keys: set[Key] = set()
        for entity in hit.entities:
            keys |= self._by_entity.get(entity, set())
        if hit.event_lists:
            keys |= self._event_lists
        for there in hit.placed:
            for index_key in change_keys(there, Stream.ARTICLES):
                for listed_feed, listed in self._by_feed.get(index_key, {}).items():
                    if listed_feed.matches(there):
                        keys |= listed
        return keys

    def _drop(self, key: Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.stats.bytes -= entry.size
        self.stats.entries = len(self._entries)
        for entity in entry.entities:
            if (keys := self._by_entity.get(entity)) is not None:
                keys.discard(key)
                if not keys:
                    del self._by_entity[entity]
        for listed in entry.feeds:
            bucket = self._by_feed.get(listed.index_key())
            if bucket is not None and (keys := bucket.get(listed)) is not None:
                keys.discard(key)
                if not keys:
                    del bucket[listed]
                    if not bucket:
                        del self._by_feed[listed.index_key()]
        self._event_lists.discard(key)


@lru_cache(maxsize=1024)
def is_query(document: str, operation_name: str | None) -> bool:
    """Whether the operation the request runs is a query (never keep a mutation's answer)."""
    try:
        operation = get_operation_ast(parse(document), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.QUERY
