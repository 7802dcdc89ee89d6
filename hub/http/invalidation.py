"""What a committed change makes stale in the response cache.

A cached answer is tagged with what it read (:mod:`hub.reads`): entities (articles and
events by id or slug), article lists by filter, event lists. :func:`stale` turns one outbox
row into the tags it hits:

* an **approval** or **retraction** hits the article (id and slug) and every article list
  whose filter takes it, matched on what the outbox row carries (regions with their
  provinces, agency, agency type, stages, tags, event) — a list over a condition the row does
  not carry (a person, a category, dates, a tag known only by id) counts as taking it;
* a **correction** or an **import** hits the article and every article list: the row
  carries the article's attributes after the change only, so a list it left cannot be told
  from one it never was in;
* an **event change** hits the event (id and slug) and every event list;
* submissions and rejections hit nothing (nobody anonymous sees an unpublished article);
  a kind this module does not know hits everything.

Article lists are matched with the live feeds' own filters (:mod:`hub.realtime.filters`),
so a cached list and a subscription agree on which changes concern them.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from hub import filters, reads
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter as Feed
from hub.vocabulary import OutboxKind

UNSEEN = frozenset({OutboxKind.ARTICLE_SUBMITTED.value, OutboxKind.ARTICLE_REJECTED.value})
PLACED = frozenset({OutboxKind.ARTICLE_APPROVED.value, OutboxKind.ARTICLE_RETRACTED.value})
REWRITTEN = frozenset(
    {
        OutboxKind.ARTICLE_CORRECTED.value,
        OutboxKind.ARTICLE_IMPORTED.value,
        OutboxKind.ARTICLE_BACKFILLED.value,
    }
)
EVENTS = frozenset({OutboxKind.EVENT_CHANGED.value})
ANY_ARTICLE = Feed()


def feed(article_filter: filters.ArticleFilter | None) -> Feed:
    """The feed filter of a list (``None``: any article). Conditions the outbox does not
    carry are left out, which widens the feed: it is then told of more changes, never fewer."""
    if article_filter is None:
        return ANY_ARTICLE
    return Feed(
        region_code=article_filter.region_code,
        agency_id=article_filter.agency_id,
        agency_type=article_filter.agency_type,
        stage_code=article_filter.stage_code,
        tag_slug=article_filter.tag_slug,
        event_id=article_filter.event_id,
    )


@dataclass(frozen=True, slots=True)
class Stale:
    """The tags one change hits. ``lists_of``: the change article lists are matched
    against; ``all_lists``: every article list; ``everything``: the whole cache."""

    entities: frozenset[reads.Entity] = frozenset()
    lists_of: Change | None = None
    all_lists: bool = False
    event_lists: bool = False
    everything: bool = False

    def hits(self, entities: Set[reads.Entity], feeds: Set[Feed], event_lists: bool) -> bool:
        """Whether an answer with these tags is stale after the change."""
        if self.everything or not self.entities.isdisjoint(entities):
            return True
        if self.event_lists and event_lists:
            return True
        if self.all_lists:
            return bool(feeds)
        change = self.lists_of
        return change is not None and any(feed.matches(change) for feed in feeds)


NOTHING = Stale()


def stale(change: Change) -> Stale:
    if change.kind in UNSEEN:
        return NOTHING
    if change.kind in PLACED or change.kind in REWRITTEN:
        entities = {(reads.ARTICLE, change.entity_id)}
        if (slug := change.payload.get("slug")) is not None:
            entities.add((reads.ARTICLE_SLUG, slug))
        if change.kind in PLACED:
            return Stale(entities=frozenset(entities), lists_of=change)
        return Stale(entities=frozenset(entities), all_lists=True)
    if change.kind in EVENTS:
        entities = {(reads.EVENT, change.entity_id)}
        if (slug := change.payload.get("slug")) is not None:
            entities.add((reads.EVENT_SLUG, slug))
        return Stale(entities=frozenset(entities), event_lists=True)
    return Stale(everything=True)
