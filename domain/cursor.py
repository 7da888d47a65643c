"""``PollCursor``: the poller's high-water mark for one company/project/resource."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

CURSOR_NAMESPACE = uuid.UUID("2f4e6a8c-0b1d-4e3f-9a5c-7d9e1f3a5b7c")


class PollCursor(Aggregate):
    INITIAL_VERSION = 1

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid.uuid5(CURSOR_NAMESPACE, name)

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.high_water: datetime | None = None

    @event("Advanced")
    def advance(self, high_water: datetime) -> None:
        self.high_water = high_water
