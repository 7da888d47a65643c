"""The normalized Procore change: what webhooks and the poller publish to ``procore.changes``.

Both producers emit the same message so that a record seen by both is folded once. The key
``company:project:resource:id`` keeps every change of one record on one partition, in order.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

ResourceKind = Literal[
    "requisition",
    "direct_cost",
    "commitment",
    "vendor",
    # A line-item event whose parent the payload does not name (v2.0, v4.0): the fetch stage
    # finds the parent and turns it into a change of that parent; these never reach the ledger.
    "direct_cost_line_item",
    "commitment_line_item",
]
LINE_ITEM_KINDS: frozenset[str] = frozenset({"direct_cost_line_item", "commitment_line_item"})
CommitmentKind = Literal["purchase_order_contract", "work_order_contract"]
ChangeAction = Literal["create", "update", "delete"]
# "sweep" is the poller's daily full re-read (not the month-end close's reconciliation).
ChangeSource = Literal["webhook", "poller", "sweep", "demo", "replay"]
LEGACY_SOURCES = {"reconcile": "sweep"}  # messages written before the rename

# Fixed namespace for deterministic record ids; never change it (ids are persisted).
RECORD_NAMESPACE = uuid.UUID("5b0a6f0e-8c1d-4a51-9d0e-6d6c2a3b7f10")


class RecordRef(BaseModel):
    """Identity of one Procore record: company, project (None for company resources), kind, id."""

    model_config = ConfigDict(frozen=True)

    company_id: int
    project_id: int | None
    resource: ResourceKind
    resource_id: int

    @property
    def key(self) -> str:
        """Kafka message key and human-readable reference, e.g. ``42:7:requisition:1001``."""
        project = "-" if self.project_id is None else str(self.project_id)
        return f"{self.company_id}:{project}:{self.resource}:{self.resource_id}"

    @property
    def aggregate_id(self) -> uuid.UUID:
        """Deterministic id of the record's ``SourceDocument`` aggregate (uuid5 of the key)."""
        return uuid.uuid5(RECORD_NAMESPACE, self.key)

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        """Parse a reference written as ``company:project:resource:id``."""
        parts = text.split(":")
        if len(parts) != 4:
            raise ValueError(
                f"record reference {text!r} must look like company:project:resource:id, "
                "e.g. 42:7:requisition:1001 (use '-' for company-level records)"
            )
        company, project, resource, rid = parts
        return cls.model_validate(
            {
                "company_id": int(company),
                "project_id": None if project == "-" else int(project),
                "resource": resource,
                "resource_id": int(rid),
            }
        )


class ProcoreChange(BaseModel):
    """One observed change of a Procore record, normalized from a webhook event or a poll."""

    model_config = ConfigDict(frozen=True)

    ref: RecordRef
    action: ChangeAction
    source: ChangeSource
    event_id: str | None = Field(default=None, description="webhook ulid/id, for dedupe")
    observed_at: datetime
    record: dict[str, Any] | None = Field(
        default=None, description="full record JSON when the producer already has it"
    )
    listed: bool = Field(
        default=False,
        description="``record`` is the list's shape (no line items, attachments): the fetch "
        "stage reads the show where a booking needs them",
    )
    context: dict[str, Any] | None = Field(
        default=None,
        description="what the fetch stage read around the record: vendor, commitment, "
        "cost_codes, tax_codes (as Procore sent them)",
    )
    commitment_kind: CommitmentKind | None = Field(
        default=None,
        description="purchase order or work order contract, when the producer knows it "
        "(spares the fetch stage a lookup)",
    )

    @field_validator("source", mode="before")
    @classmethod
    def _renamed_source(cls, value: Any) -> Any:
        return LEGACY_SOURCES.get(value, value) if isinstance(value, str) else value

    @property
    def key(self) -> str:
        return self.ref.key

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_bytes(cls, data: bytes) -> ProcoreChange:
        return cls.model_validate(orjson.loads(data))


def content_hash(record: dict[str, Any]) -> str:
    """Stable sha256 of a record's JSON (sorted keys), used to recognise repeated versions."""
    import hashlib

    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
