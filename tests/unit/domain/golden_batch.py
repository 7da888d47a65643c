"""The realistic batch behind the golden EXTF files (both categories)."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from domain.booking import BookingLine, Planned
from domain.chart import Chart
from domain.derivation import derive_direct_cost_lines, derive_requisition_lines
from domain.extf import creditor_record, write_buchungsstapel, write_kreditoren
from domain.mapping import ClientMapping
from domain.reversal import plan_rebooking
from tests.unit.domain.factories import (
    GERUEST,
    MUELLER,
    STAHL,
    ctx,
    dc_line,
    direct_cost,
    requisition,
)

CREATED = datetime(2026, 11, 2, 6, 30, 0, 125000)
GUID = "3f2c1a9e-7b41-4c55-9a0e-2d5f8c6b1e01"


def _lines(result: object) -> tuple[BookingLine, ...]:
    assert isinstance(result, Planned), result
    return result.lines


def batch_lines(mapping: ClientMapping, chart: Chart) -> list[BookingLine]:
    lines: list[BookingLine] = []
    # § 13b subcontractor invoice with a DUO document link
    lines += _lines(
        derive_requisition_lines(
            requisition(),
            ctx("requisition", 4401223, MUELLER, 70010, document_guid=GUID),
            mapping,
            chart,
        )
    )
    # scaffolding invoice: 19 % and 7 % lines, NFD umlauts and a quote in the invoice number
    dc = direct_cost(
        [dc_line(1201, "3000.00"), dc_line(1202, "250.00", tax=13)],
        invoice_number=unicodedata.normalize("NFD", 'Gerüst "A-D" 2026_7781'),
    )
    lines += _lines(
        derive_direct_cost_lines(dc, ctx("direct_cost", 990011, GERUEST, 70020), mapping, chart)
    )
    # steel delivery on the automatic account, later corrected (reversal + rebooking)
    steel = direct_cost(
        [dc_line(1301, "42000.00", code="03-300", ctype="M")],
        id=990020,
        vendor_id=556700,
        invoice_number="=SUM(A1)",  # formula-looking text must not become a formula
        direct_cost_date="2026-10-15",
    )
    first = _lines(
        derive_direct_cost_lines(steel, ctx("direct_cost", 990020, STAHL, 70030), mapping, chart)
    )
    changed = steel.model_copy(
        update={
            "line_items": [
                li.model_copy(update={"amount": li.amount - 1000}) for li in steel.line_items
            ]
        }
    )
    second = _lines(
        derive_direct_cost_lines(changed, ctx("direct_cost", 990020, STAHL, 70030), mapping, chart)
    )
    lines += first
    lines += plan_rebooking(first, second)
    # credit note (negative amount → S)
    credit = direct_cost(
        [dc_line(1401, "-120.00")], id=990030, invoice_number="GS-17", direct_cost_date="2026-10-30"
    )
    lines += _lines(
        derive_direct_cost_lines(credit, ctx("direct_cost", 990030, GERUEST, 70020), mapping, chart)
    )
    return lines


def golden_buchungsstapel(mapping: ClientMapping, chart: Chart) -> bytes:
    return write_buchungsstapel(
        batch_lines(mapping, chart), mapping, created=CREATED, label="Procore 2026-10"
    )


def golden_kreditoren(mapping: ClientMapping) -> bytes:
    records = [
        creditor_record(MUELLER, 70010, iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX"),
        creditor_record(GERUEST, 70020),
        creditor_record(STAHL, 70030),
    ]
    return write_kreditoren(
        records,
        mapping,
        created=CREATED,
        fiscal_year_start=mapping.fiscal_year_start(CREATED.date()),
    )
