"""Cost code and tax code lists on disk, so a restarted worker does not list them again.

Entries keep the time they were read and expire exactly like the in-memory cache (the
snapshotter's ``ttl_s``): a restart within that time reuses them, later ones list again. A code
missing from a stored list still triggers one fresh list (new codes). An unreadable file is
ignored (the lists are simply read again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from adapters.atomic_file import write_atomic

log = logging.getLogger(__name__)

CODES_FILE = "procore-codes.json"
Table = dict[int, dict[str, Any]]


class CodeStore:
    """``name → (read at, {id: code})`` in one JSON file, written atomically."""

    def __init__(self, path: Path, ttl_s: float, now: Callable[[], float]) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self._now = now
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Table]] = {}
        try:
            raw = orjson.loads(path.read_bytes())
            for name, (stored_at, table) in raw.items():
                self._entries[name] = (float(stored_at), {int(k): v for k, v in table.items()})
        except FileNotFoundError:
            pass
        except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
            log.warning("%s is unreadable (%s); cost and tax codes are listed again", path, exc)

    def get(self, name: str) -> tuple[float, Table] | None:
        entry = self._entries.get(name)
        if entry is None or self._now() - entry[0] >= self.ttl_s:
            return None
        return entry

    def put(self, name: str, table: Table) -> None:
        self._entries[name] = (self._now(), table)
        fresh = {
            key: [at, {str(k): v for k, v in t.items()}]
            for key, (at, t) in self._entries.items()
            if self._now() - at < self.ttl_s
        }
        with self._lock:
            write_atomic(self.path, orjson.dumps(fresh))
