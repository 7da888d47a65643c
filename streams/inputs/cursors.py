"""High-water marks of the poller (``updated_at`` per company/project/resource) and their stores.

The lead's event store implements :class:`CursorStore` for production; until then the default is
:class:`FileCursorStore`, one JSON file under the data directory written atomically.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol

import orjson


class CursorStore(Protocol):
    """Named instants (timezone-aware UTC)."""

    def get(self, name: str) -> datetime | None: ...

    def set(self, name: str, value: datetime) -> None: ...


class InMemoryCursorStore:
    """Cursors in a dict (tests, dry runs)."""

    def __init__(self) -> None:
        self.values: dict[str, datetime] = {}

    def get(self, name: str) -> datetime | None:
        return self.values.get(name)

    def set(self, name: str, value: datetime) -> None:
        self.values[name] = value


class CursorFileError(Exception):
    """The cursor file cannot be read; the message names the file and the fix."""


class FileCursorStore:
    """Cursors in one JSON file; every ``set`` rewrites it atomically (temp file + rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._values = self._load()

    def _load(self) -> dict[str, datetime]:
        try:
            raw = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError) as exc:
            raise CursorFileError(
                f"poller cursor file {self.path} is unreadable ({exc}); delete it to make the "
                "poller start with a full read"
            ) from None
        try:
            return {str(k): datetime.fromisoformat(v) for k, v in dict(raw).items()}
        except (TypeError, ValueError) as exc:
            raise CursorFileError(
                f"poller cursor file {self.path} holds a bad value ({exc}); delete it to make "
                "the poller start with a full read"
            ) from None

    def get(self, name: str) -> datetime | None:
        with self._lock:
            return self._values.get(name)

    def set(self, name: str, value: datetime) -> None:
        with self._lock:
            self._values[name] = value
            data = orjson.dumps(
                {k: v.isoformat() for k, v in sorted(self._values.items())},
                option=orjson.OPT_INDENT_2,
            )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".cursors-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
