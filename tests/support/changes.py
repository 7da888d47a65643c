"""A sample Procore change for walking-skeleton style tests."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.changes import ProcoreChange, RecordRef


def sample_change() -> ProcoreChange:
    record = {
        "id": 4401223,
        "number": 3,
        "invoice_number": "RE-2026-0142",
        "status": "approved",
        "vendor_id": 556677,
        "vendor_name": "Bau Müller GmbH",
        "billing_date": "2026-10-31",
        "summary": {"current_payment_due": "14250.00"},
    }
    return ProcoreChange(
        ref=RecordRef(
            company_id=4281379, project_id=20251, resource="requisition", resource_id=4401223
        ),
        action="update",
        source="demo",
        event_id="01JC8Z7Q4W9K2M5N8P1R3T6V9X",
        observed_at=datetime(2026, 11, 10, 14, 2, 11, tzinfo=UTC),
        record=record,
    )


def direct_cost_change(rid: int, total: str, status: str = "approved") -> ProcoreChange:
    """A polled direct cost of company 7 / project 70 with the given total (ledger-level tests)."""
    return ProcoreChange(
        ref=RecordRef(company_id=7, project_id=70, resource="direct_cost", resource_id=rid),
        action="update",
        source="poller",
        observed_at=datetime(2026, 11, 2, tzinfo=UTC),
        record={"id": rid, "status": status, "grand_total": total},
    )
