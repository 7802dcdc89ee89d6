"""Subscribers indexed by filter: matching a change costs one lookup per key it carries.

Subscribers with equal filters form one group (checked once per change); each group sits
in exactly one bucket, under its filter's stream and index key, so a change never finds a
subscriber twice.
"""

from __future__ import annotations

from hub.realtime.changes import Change, Stream
from hub.realtime.filters import Filter, IndexKey, change_keys
from hub.realtime.subscriber import Subscriber

Bucket = dict[Filter, set[Subscriber]]


class Registry:
    def __init__(self) -> None:
        self._buckets: dict[tuple[Stream, IndexKey], Bucket] = {}
        self.count = 0

    def add(self, subscriber: Subscriber) -> None:
        filter_ = subscriber.filter
        bucket = self._buckets.setdefault((filter_.stream, filter_.index_key()), {})
        bucket.setdefault(filter_, set()).add(subscriber)
        self.count += 1

    def remove(self, subscriber: Subscriber) -> None:
        filter_ = subscriber.filter
        bucket_key = (filter_.stream, filter_.index_key())
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            return
        group = bucket.get(filter_)
        if group is None or subscriber not in group:
            return
        group.discard(subscriber)
        self.count -= 1
        if not group:
            del bucket[filter_]
            if not bucket:
                del self._buckets[bucket_key]

    def match(self, change: Change) -> list[Subscriber]:
        matched: list[Subscriber] = []
        for stream in change.streams:
            for key in change_keys(change, stream):
                bucket = self._buckets.get((stream, key))
                if bucket:
                    for filter_, group in bucket.items():
                        if filter_.matches(change):
                            matched.extend(group)
        return matched

    @property
    def filter_groups(self) -> int:
        return sum(len(bucket) for bucket in self._buckets.values())
