"""High-water marks of the poller (``updated_at`` per company/project/resource).

The worker keeps them in the event store (``PollCursor`` aggregates, ``streams.bootstrap``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class CursorStore(Protocol):
    """Named instants (timezone-aware UTC)."""

    def get(self, name: str) -> datetime | None: ...

    def set(self, name: str, value: datetime) -> None: ...
