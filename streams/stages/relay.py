"""Outbox relay: the event store's notification log → the ``bookings.events`` topic.

Position is a tracking row (``outbox:bookings.events``) saved only after every message of the
batch has been acknowledged by the broker, so a crash never loses an event; it may re-send the
batch in flight, so consumers dedupe by ``(aggregate_id, aggregate_version)`` or
``notification_id`` (see docs/booking-events.md).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.utils import get_topic, resolve_topic

from streams.ledger.application import Ledger, event_payload, event_type_name

log = logging.getLogger(__name__)

SCHEMA = "ml-connector.booking-event/1"
RELAY_TRACKING = "outbox:bookings.events"
# Kafka refuses messages over 1 MB by default (broker message.max.bytes, producer
# max.request.size); one refused message would stop the relay for good. A message above this
# bound goes out without its largest data fields, named in ``omitted`` (docs/booking-events.md).
MAX_MESSAGE_BYTES = 900_000

Send = Callable[[bytes, bytes], Awaitable[Any]]
"""Sends (key, value) and returns an awaitable that resolves when the broker acknowledged it."""


@dataclass(frozen=True)
class RelayedEvent:
    notification_id: int
    key: bytes
    value: bytes


def encode_notification(ledger: Ledger, notification: Any) -> RelayedEvent:
    """Turn one stored event into the versioned JSON message of ``bookings.events``.

    Built from the stored JSON (UUIDs, decimals and datetimes stay the strings they are stored
    as), not from a decoded event object: the same message, without building every value.
    """
    payload = ledger.stored_json(notification)
    if payload is None:  # an event class with versions: upcast as its aggregate reads it
        return _encode_decoded(ledger, notification)
    timestamp = payload.pop("timestamp")
    payload.pop("originator_topic", None)
    aggregate_id = str(notification.originator_id)
    body = {
        "schema": SCHEMA,
        "notification_id": notification.id,
        "aggregate_id": aggregate_id,
        "aggregate_version": notification.originator_version,
        "type": _type_name(notification.topic),
        "timestamp": timestamp,
        "record_key": payload.get("record_key") or payload.get("key"),
        "data": payload,
    }
    return RelayedEvent(notification.id, aggregate_id.encode(), bounded(body))


@functools.cache
def _type_name(topic: str) -> str:
    return get_topic(resolve_topic(topic)).rsplit(":", 1)[-1]


def _encode_decoded(ledger: Ledger, notification: Any) -> RelayedEvent:
    event: Any = ledger.decode(notification)
    payload = event_payload(event)
    body = {
        "schema": SCHEMA,
        "notification_id": notification.id,
        "aggregate_id": str(event.originator_id),
        "aggregate_version": event.originator_version,
        "type": event_type_name(event),
        "timestamp": event.timestamp.isoformat(),
        "record_key": payload.get("record_key") or payload.get("key"),
        "data": payload,
    }
    return RelayedEvent(
        notification_id=notification.id,
        key=str(event.originator_id).encode(),
        value=bounded(body, default=str),
    )


def bounded(body: dict[str, Any], default: Any = None, limit: int | None = None) -> bytes:
    """The message as JSON, at most ``limit`` bytes: if larger, the largest ``data`` fields are
    left out, largest first, and named in ``omitted`` with their size (and item count)."""
    limit = MAX_MESSAGE_BYTES if limit is None else limit
    value = orjson.dumps(body, default=default)
    if len(value) <= limit:
        return value
    data = dict(body["data"])
    sizes = {k: len(orjson.dumps(v, default=default)) for k, v in data.items()}
    omitted: dict[str, dict[str, int]] = {}
    for name in sorted(sizes, key=sizes.__getitem__, reverse=True):
        field = data.pop(name)
        omitted[name] = {"bytes": sizes[name]}
        if isinstance(field, list | dict):
            omitted[name]["items"] = len(field)
        value = orjson.dumps({**body, "data": data, "omitted": omitted}, default=default)
        if len(value) <= limit:
            break
    log.warning(
        "%s %s/%s is larger than a Kafka message may be: sent without %s",
        body["type"],
        body["aggregate_id"],
        body["aggregate_version"],
        ", ".join(omitted),
    )
    return value


class OutboxRelay:
    """Moves stored events to Kafka in notification-id order, at least once."""

    def __init__(self, ledger: Ledger, batch_size: int = 500) -> None:
        self.ledger = ledger
        self.batch_size = batch_size

    def position(self) -> int:
        return self.ledger.recorder.max_tracking_id(RELAY_TRACKING) or 0

    def pending(self) -> list[RelayedEvent]:
        start = self.position() + 1
        notifications = self.ledger.notifications(start=start, limit=self.batch_size)
        return [encode_notification(self.ledger, n) for n in notifications]

    def commit(self, last_notification_id: int) -> None:
        try:
            self.ledger.recorder.insert_tracking(Tracking(RELAY_TRACKING, last_notification_id))
        except IntegrityError:
            # Another relay (e.g. a previous leader) already recorded this or a later position.
            log.info("relay position %s already recorded", last_notification_id)

    async def run_once(self, send: Send, to_thread: Callable[..., Awaitable[Any]]) -> int:
        """Relay one batch; returns how many events were sent."""
        batch: list[RelayedEvent] = await to_thread(self.pending)
        if not batch:
            return 0
        acks = [await send(item.key, item.value) for item in batch]
        for ack in acks:
            await ack
        await to_thread(self.commit, batch[-1].notification_id)
        return len(batch)
