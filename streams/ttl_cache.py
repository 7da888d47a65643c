"""A small bounded cache whose entries expire after a fixed time (per-process, not shared)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Least-recently-used eviction beyond ``max_entries``; entries older than ``ttl_s`` miss."""

    def __init__(
        self,
        ttl_s: float,
        max_entries: int = 1024,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._now = now
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        stored_at, value = item
        if self._now() - stored_at >= self.ttl_s:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def age(self, key: K) -> float | None:
        """Seconds since ``key`` was stored, or None when it is absent or expired."""
        if self.get(key) is None:
            return None
        return self._now() - self._items[key][0]

    def put(self, key: K, value: V, stored_at: float | None = None) -> None:
        """Store ``value``; ``stored_at`` keeps the age of a value read from elsewhere."""
        self._items[key] = (self._now() if stored_at is None else stored_at, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def discard(self, key: K) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
