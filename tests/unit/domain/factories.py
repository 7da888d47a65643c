"""Builders for the accounting domain tests: one SKR03 client, its vendors and Procore records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.booking import Parked, Planned
from domain.changes import RecordRef
from domain.chart import Account, Chart, build_chart
from domain.derivation import DocumentContext
from domain.mapping import ClientMapping
from domain.procore.records import (
    Commitment,
    CostCode,
    DirectCost,
    Requisition,
    TaxCode,
    Vendor,
)

COMPANY, PROJECT = 4281379, 20251


def mapping_data(**booking: Any) -> dict[str, Any]:
    return {
        "client": {"advisor_number": 29098, "client_number": 55003, "skr": "03"},
        "procore": {"company_id": COMPANY, "project_ids": [PROJECT]},
        "projects": {str(PROJECT): {"kost1": "20251", "name": "Kita Augsburg"}},
        "cost_accounts": [
            {"cost_code": "03-*", "cost_type": "S", "account": 3100},
            {"cost_code": "03-300", "cost_type": "M", "account": 3400, "tax_rules": ["vst19"]},
            {"cost_code": "04-100", "cost_type": "M", "account": 3300, "tax_rules": ["vst7"]},
            {"cost_code": "05-*", "cost_type": "S", "account": 3120, "tax_rules": ["rc13b_19"]},
        ],
        "cost_type_defaults": {"M": 3200},
        "tax_codes": {"DE19": "vst19", "DE7": "vst7", "FREI": "tax_free"},
        "vendors": {
            "556677": {"creditor": 70010, "reverse_charge": True, "exemption": "unknown"},
            "556699": {"creditor": 70020, "exemption": "none"},
            "556700": {
                "creditor": 70030,
                "exemption": "certificate",
                "exemption_valid_until": "2027-12-31",
            },
        },
        "booking": {"retention_account": 1628, "withholding_account": 1749, **booking},
        "extra_accounts": [
            {"number": 1628, "name": "Verbindlichkeiten Sicherheitseinbehalte", "kind": "liability"}
        ],
    }


def make_mapping(**booking: Any) -> ClientMapping:
    return ClientMapping.model_validate(mapping_data(**booking))


def make_chart(mapping: ClientMapping, extra: tuple[Account, ...] = ()) -> Chart:
    return build_chart("03", 4, [*mapping.extra_accounts, *extra])


MUELLER = Vendor(
    id=556677,
    name="Bau Müller GmbH",
    abbreviated_name="Bau Müller",
    address="Hauptstraße 12",
    city="Augsburg",
    zip="86150",
    country_code="DE",
    email_address="rechnung@bau-mueller.example",
    business_id="DE123456789",
)
GERUEST = Vendor(id=556699, name="Gerüstbau Nord KG", city="Kiel", zip="24103", country_code="DE")
STAHL = Vendor(id=556700, name="Stahlhandel Süd AG", city="München", country_code="DE")

COST_CODES = {
    3301: CostCode(id=3301, code="300", full_code="03-300", name="Beton"),
    3305: CostCode(id=3305, code="300", full_code="03-305", name="Gerüst"),
}
TAX_CODES = {
    12: TaxCode(id=12, code="DE19", rate1=Decimal("19")),
    13: TaxCode(id=13, code="DE7", rate1=Decimal("7")),
    14: TaxCode(id=14, code="FREI", rate1=Decimal("0")),
    15: TaxCode(id=15, code="X99"),
}

COMMITMENT = Commitment.model_validate(
    {
        "id": 88120,
        "kind": "work_order_contract",
        "number": "SUB-007",
        "status": "Approved",
        "vendor": {"id": 556677, "company": "Bau Müller GmbH"},
        "line_items": [
            {
                "id": 510001,
                "amount": "60000.00",
                "cost_code": {"id": 3301, "full_code": "03-300"},
                "line_item_type": {"id": 4, "name": "Subcontractor", "code": "S"},
            },
            {
                "id": 510002,
                "amount": "10000.00",
                "cost_code": {"id": 3301, "full_code": "03-300"},
                "line_item_type": {"id": 2, "name": "Materials", "code": "M"},
            },
        ],
    }
)


def requisition(**over: Any) -> Requisition:
    data: dict[str, Any] = {
        "id": 4401223,
        "number": 3,
        "invoice_number": "RE-2026-0142",
        "status": "approved",
        "commitment_id": 88120,
        "vendor_id": 556677,
        "billing_date": "2026-10-31",
        "requisition_start": "2026-10-01",
        "requisition_end": "2026-10-31",
        "items": [
            {
                "id": 1800001,
                "line_item_id": 510001,
                "cost_code_id": 3301,
                "work_completed_this_period": "15000.00",
                "work_completed_retainage_retained_this_period": "750.00",
                "net_amount": "14250.00",
            }
        ],
    }
    data.update(over)
    return Requisition.model_validate(data)


def direct_cost(lines: list[dict[str, Any]], **over: Any) -> DirectCost:
    data: dict[str, Any] = {
        "id": 990011,
        "direct_cost_type": "invoice",
        "status": "approved",
        "invoice_number": "2026-7781",
        "vendor_id": 556699,
        "direct_cost_date": "2026-10-28",
        "line_items": lines,
    }
    data.update(over)
    return DirectCost.model_validate(data)


def dc_line(
    item_id: int, amount: str, code: str = "03-305", ctype: str = "S", tax: int | None = 12
) -> dict[str, Any]:
    return {
        "id": item_id,
        "amount": amount,
        "tax_code_id": tax,
        "cost_code": {"id": 1, "full_code": code},
        "line_item_type": {"id": 1, "code": ctype},
    }


def ctx(
    resource: str,
    rid: int,
    vendor: Vendor,
    creditor: int | None,
    **over: Any,
) -> DocumentContext:
    fields: dict[str, Any] = {
        "cost_codes": COST_CODES,
        "tax_codes": TAX_CODES,
        "commitment": COMMITMENT,
        **over,
    }
    return DocumentContext(
        ref=RecordRef(company_id=COMPANY, project_id=PROJECT, resource=resource, resource_id=rid),  # type: ignore[arg-type]
        vendor=vendor,
        creditor_account=creditor,
        **fields,
    )


D = Decimal
OCT31 = date(2026, 10, 31)


def planned(result: object) -> Planned:
    assert isinstance(result, Planned), result
    return result


def parked(result: object) -> Parked:
    assert isinstance(result, Parked), result
    return result
