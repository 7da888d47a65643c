"""The one registry of the connector's Kafka topics and their declared partition counts.

Every topic is created explicitly from this list (never auto-created by a producer), by the
embedded runtime, ``ml-connector topics --create`` and the production topic-creation job.
"""

from __future__ import annotations

from adapters.kafka.admin import TopicDecl

PROCORE_CHANGES = TopicDecl("procore.changes", partitions=4)
"""Normalized Procore changes from webhooks and the poller; key ``company:project:resource:id``."""

PROCORE_RECORDS = TopicDecl("procore.records", partitions=4)
"""Full record snapshots (with content hash) fetched for changes; same key as the change."""

BOOKINGS_EVENTS = TopicDecl("bookings.events", partitions=4)
"""Booking events relayed from the event store (outbox); key = aggregate id. Downstream API."""

CONNECTOR_DLQ = TopicDecl("connector.dlq", partitions=1)
"""Parked messages with their reason and Kafka context in headers."""

CONNECTOR_META = TopicDecl("connector.meta", partitions=1)
"""One marker record per life of the Kafka cluster (see ``adapters.kafka.incarnation``)."""

ALL_TOPICS: tuple[TopicDecl, ...] = (
    PROCORE_CHANGES,
    PROCORE_RECORDS,
    BOOKINGS_EVENTS,
    CONNECTOR_DLQ,
    CONNECTOR_META,
)


def consumer_group(app_id: str) -> str:
    """The consumer group faust uses for the worker's agents (faust uses the app id)."""
    return app_id
