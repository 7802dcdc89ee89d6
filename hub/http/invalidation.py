"""What a committed change makes stale in the response cache.

A cached answer is tagged with what it read (:mod:`hub.reads`): entities (articles and
events by id or slug), article lists by filter, event lists. :func:`stale` turns one outbox
row into the tags it hits:

* an **approval**, **retraction**, **correction** or **import** hits the article (id and
  slug) and every article list whose filter takes it, matched on what the outbox row
  carries (regions with their provinces, agency, agency type, stages, tags, event) — a list
  over a condition the row does not carry (a person, a category, dates, a tag known only by
  id) counts as taking it. A correction or re-import that moved the article (other regions,
  stages, tags, event) carries where it was before (``payload.previous``): the lists that
  took it there are hit too, since it leaves them;
* an **event change** hits the event (id and slug) and every event list;
* submissions and rejections hit nothing (nobody anonymous sees an unpublished article);
  a kind this module does not know hits everything.

Article lists are matched with the live feeds' own filters (:mod:`hub.realtime.filters`),
so a cached list and a subscription agree on which changes concern them.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from typing import Any

from hub import filters, reads
from hub.realtime.changes import Change
from hub.realtime.filters import ArticleFilter as Feed
from hub.vocabulary import OutboxKind

UNSEEN = frozenset({OutboxKind.ARTICLE_SUBMITTED.value, OutboxKind.ARTICLE_REJECTED.value})
PUBLISHED = frozenset(
    {
        OutboxKind.ARTICLE_APPROVED.value,
        OutboxKind.ARTICLE_RETRACTED.value,
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
    """The tags one change hits. ``placed``: where the article is (and was) listed, each as
    the publication there that article lists are matched against (see :func:`placed`);
    ``everything``: the whole cache."""

    entities: frozenset[reads.Entity] = frozenset()
    placed: tuple[Change, ...] = ()
    event_lists: bool = False
    everything: bool = False

    def hits(self, entities: Set[reads.Entity], feeds: Set[Feed], event_lists: bool) -> bool:
        """Whether an answer with these tags is stale after the change."""
        if self.everything or not self.entities.isdisjoint(entities):
            return True
        if self.event_lists and event_lists:
            return True
        return any(feed.matches(there) for there in self.placed for feed in feeds)


NOTHING = Stale()


def placed(change: Change, where: dict[str, Any] | None = None) -> Change:
    """The change as an approval (the live feeds' filters match only published kinds), at
    ``where`` (a ``payload.previous`` placement) or where the row says."""
    approval = replace(change, kind=OutboxKind.ARTICLE_APPROVED.value)
    if where is None:
        return approval
    return replace(
        approval,
        agency_id=where.get("agency_id"),
        region_codes=tuple(where.get("region_codes", ())),
        payload={**change.payload, **where},
    )


def stale(change: Change) -> Stale:
    if change.kind in UNSEEN:
        return NOTHING
    if change.kind in PUBLISHED:
        entities = {(reads.ARTICLE, change.entity_id)}
        if (slug := change.payload.get("slug")) is not None:
            entities.add((reads.ARTICLE_SLUG, slug))
        places = [placed(change)]
        if isinstance(previous := change.payload.get("previous"), dict):
            places.append(placed(change, previous))
        return Stale(entities=frozenset(entities), placed=tuple(places))
    if change.kind in EVENTS:
        entities = {(reads.EVENT, change.entity_id)}
        if (slug := change.payload.get("slug")) is not None:
            entities.add((reads.EVENT_SLUG, slug))
        return Stale(entities=frozenset(entities), event_lists=True)
    return Stale(everything=True)
