"""Build fetch-stage snapshots straight from the Procore emulator's state (no HTTP, no Kafka)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from domain.changes import ProcoreChange, RecordRef
from emulators.procore.data import EmulatorState, Resource, Row

if TYPE_CHECKING:
    from streams.ledger.application import Ledger


def context_for(state: EmulatorState, resource: Resource, row: Row) -> dict[str, Any] | None:
    if resource == "vendor":
        return None
    data = row.data
    vendor_id = data.get("vendor_id") or (data.get("vendor") or {}).get("id")
    vendor = state.rows["vendor"].get(int(vendor_id)) if vendor_id else None
    commitment = None
    if resource == "requisition" and data.get("commitment_id"):
        found = state.rows["commitment"].get(int(data["commitment_id"]))
        commitment = {**found.data, "kind": found.kind} if found else None
    return {
        "vendor": vendor.data if vendor else None,
        "commitment": commitment,
        "cost_codes": state.cost_codes.get(row.project_id or 0, []),
        "tax_codes": state.tax_codes.get(row.company_id, []),
    }


def snapshot(
    state: EmulatorState, resource: Resource, record_id: int, source: str = "poller"
) -> ProcoreChange:
    row = state.rows[resource][record_id]
    record = dict(row.data)
    if resource == "commitment" and row.kind:
        record["kind"] = row.kind
    return ProcoreChange.model_validate(
        {
            "ref": RecordRef(
                company_id=row.company_id,
                project_id=row.project_id,
                resource=resource,
                resource_id=record_id,
            ).model_dump(),
            "action": "update",
            "source": source,
            "observed_at": datetime(2026, 11, 20, tzinfo=UTC),
            "record": record,
            "context": context_for(state, resource, row),
        }
    )


def all_snapshots(state: EmulatorState) -> list[ProcoreChange]:
    out = []
    for resource in ("vendor", "commitment", "requisition", "direct_cost"):
        for rid in state.rows[resource]:  # type: ignore[index]
            out.append(snapshot(state, resource, rid))  # type: ignore[arg-type]
    return out


def fold_each(ledger: Ledger, changes: Iterable[ProcoreChange], start: int = 0) -> int:
    """Fold ``changes`` one message at a time at offsets ``start``, ``start + 1``, … of
    ``procore.records`` partition 0, as the fold agent would; returns the next offset."""
    offset = start
    for change in changes:
        ledger.fold("procore.records", 0, [(offset, change)])
        offset += 1
    return offset
