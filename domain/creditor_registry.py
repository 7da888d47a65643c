"""The ``CreditorRegistry`` aggregate: stable creditor numbers per DATEV client.

A vendor keeps its number forever and a number is never reused; the registry also remembers
which vendor master version was last sent to DATEV, so creditor rows go out only when new or
changed.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import Aggregate, event

SHORT_NAME_MAX = 15  # Kurzbezeichnung, category 16 column 8
REGISTRY_NAMESPACE = uuid.UUID("6a3e0f52-7d4b-4f0a-8c1e-5b2d9e7f3a10")


class CreditorRegistry(Aggregate):
    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str) -> UUID:
        return uuid.uuid5(REGISTRY_NAMESPACE, client_id)

    @event("Opened")
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.assigned: dict[int, int] = {}
        self.exported: dict[int, str] = {}
        self.short_names: dict[str, int] = {}  # Kurzbezeichnung -> creditor account using it

    @event("CreditorAssigned")
    def assign(self, vendor_id: int, account: int) -> None:
        self.assigned[vendor_id] = account

    @event("CreditorExported")
    def exported_version(
        self, vendor_id: int, content_hash: str, batch_id: str, short_name: str = ""
    ) -> None:
        self.exported[vendor_id] = content_hash
        if short_name:
            self.short_names.setdefault(short_name, self.assigned.get(vendor_id, 0))

    def unique_short_name(self, account: int, wanted: str) -> str:
        """``wanted`` unless another creditor already uses it; then it ends in the account
        number (``KRANEU 70012``), which no other creditor has. Deterministic."""
        if not wanted or self.short_names.get(wanted, account) == account:
            return wanted
        tail = f" {account}"
        return (wanted[: SHORT_NAME_MAX - len(tail)].rstrip() + tail)[-SHORT_NAME_MAX:]

    @event("CreditorExportWithdrawn")
    def export_withdrawn(self, vendor_id: int, batch_id: str) -> None:
        """Its batch was rejected: the creditor row goes out again with the next batch."""
        self.exported.pop(vendor_id, None)
