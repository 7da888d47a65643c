"""Belegfeld 1, tax per line and retention through the ledger on a real SQLite event store,
sealed and checked by the DATEV emulator's EXTF validator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.belegfeld import BelegfeldRegistry, registry_id
from domain.changes import ProcoreChange, RecordRef
from domain.mapping import ClientMapping
from domain.sealing import sealed_files
from emulators.datev.extf_check import check_extf
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import _datev_client
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules, ClientRules
from streams.operator.actions import iter_batches
from tests.unit.domain.factories import (
    COMPANY,
    COST_CODES,
    GERUEST,
    PROJECT,
    TAX_CODES,
    make_chart,
    mapping_data,
)

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
D = Decimal


def rules() -> ClientRules:
    data = mapping_data(retention_lines=True)
    data["construction_cost_types"] = ["S", "L"]
    mapping = ClientMapping.model_validate(data)
    return ClientRules(mapping=mapping, chart=make_chart(mapping), source="test")


COMMITMENT: dict[str, Any] = {
    "id": 88130,
    "kind": "work_order_contract",
    "status": "Approved",
    "vendor": {"id": GERUEST.id},
    "line_items": [
        {
            "id": lid,
            "amount": "50000.00",
            "tax_code_id": tax,
            "cost_code": {"id": 3301, "full_code": "03-300"},
            "line_item_type": {"id": 4, "code": "S"},
        }
        for lid, tax in ((610001, 12), (610002, 13))  # DE19, DE7
    ],
}


def change(
    rid: int, number: str, items: list[dict[str, Any]], day: str = "2026-10-30"
) -> ProcoreChange:
    return ProcoreChange(
        ref=RecordRef(
            company_id=COMPANY, project_id=PROJECT, resource="requisition", resource_id=rid
        ),
        action="update",
        source="poller",
        observed_at=datetime(2026, 11, 2, tzinfo=UTC),
        record={
            "id": rid,
            "invoice_number": number,
            "status": "approved",
            "commitment_id": 88130,
            "vendor_id": GERUEST.id,
            "billing_date": day,
            "requisition_end": day,
            "items": items,
        },
        context={
            "vendor": GERUEST.model_dump(mode="json"),
            "commitment": COMMITMENT,
            "cost_codes": [c.model_dump(mode="json") for c in COST_CODES.values()],
            "tax_codes": [t.model_dump(mode="json") for t in TAX_CODES.values()],
        },
    )


def item(line: int, work: str = "0", retained: str = "0", released: str = "0") -> dict[str, Any]:
    return {
        "id": line + 1,
        "line_item_id": line,
        "cost_code_id": 3301,
        "work_completed_this_period": work,
        "work_completed_retainage_retained_this_period": retained,
        "work_completed_retainage_released_this_period": released,
    }


def validated_rows(ledger: Ledger, client: ClientRules) -> list[dict[str, str]]:
    datev = _datev_client(client.chart, client.mapping)
    rows: list[dict[str, str]] = []
    for batch in iter_batches(ledger):
        for kind, f in sealed_files(batch, client.mapping).items():
            result = check_extf(f.data, datev.chart)
            assert result.findings == [], (kind, result.findings[:3])
            rows.extend(result.bookings)
    return rows


def test_belegfeld_tax_per_line_and_retention_through_the_ledger(
    sqlite_settings: Callable[..., Settings],
) -> None:
    client = rules()
    settings = sqlite_settings()
    ledger = build_ledger(settings, BookingRules([client]))
    first = change(
        1, "A-1", [item(610001, "10000.00", retained="1000.00"), item(610002, "2000.00")]
    )
    second = change(2, "A_1", [item(610001, "500.00")])
    ledger.fold("procore.records", 0, [(0, first), (1, second)])
    ledger.fold("procore.records", 0, [(1, second)])  # redelivered: skipped
    ledger.seal(client, NOW)
    # a restart: a new ledger on the same store; the registry holds both values
    again = build_ledger(settings, BookingRules([client]))
    registry = again.aggregate(registry_id(client.client_id, 70020, datetime(2026, 1, 1).date()))
    assert isinstance(registry, BelegfeldRegistry)
    assert sorted(registry.holders) == sorted({"A-1", registry.issued[second.key]["A_1"]})
    release = change(3, "A-2", [item(610001, released="1000.00")], day="2026-11-28")
    again.fold("procore.records", 0, [(2, release)])
    again.seal(client, NOW)
    rows = validated_rows(again, client)
    by_beleg: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        by_beleg.setdefault(row["belegfeld1"], []).append(
            (row["amount"], row["bu"], row["gegenkonto"])
        )
    (suffixed,) = [b for b in by_beleg if b.startswith("A-1-")]
    assert sorted(by_beleg["A-1"]) == sorted(
        [("11900.00", "9", "3100"), ("2140.00", "8", "3100"), ("1190.00", "", "1628")]
    )  # a 7 % line inside a 19 % requisition; retention grossed up at its line's 19 %
    assert by_beleg[suffixed] == [("595.00", "9", "3100")]
    assert by_beleg["A-2"] == [("1190.00", "", "1628")]  # the release clears the retention
    retention = [r for r in rows if r["gegenkonto"] == "1628"]
    assert sum(D(r["amount"]) * (1 if r["sh"] == "S" else -1) for r in retention) == 0
