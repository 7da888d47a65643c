"""Sealed booking lines → DXSO payable invoices: one per record, signs seen from the creditor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Literal

from domain.booking import BookingLine
from domain.dxso import Supplier, document_xml, ledger_xml, payable_invoices


def line(
    n: int, key: str, amount: str, sh: Literal["S", "H"] = "H", *, umkehr: bool = False
) -> BookingLine:
    return BookingLine(
        line_id=f"{key}/{n}",
        source_ref=key,
        amount=D(amount),
        debit_credit=sh,
        account=70001,
        contra_account=3100 + n,
        bu_key="9",
        document_date=date(2026, 11, 3),
        belegfeld1=f"RE-{key}",
        text=f"Abschlag {n}",
        kost1="P-1",
        generalumkehr=umkehr,
    )


def test_one_invoice_per_record_with_one_row_per_line() -> None:
    lines = [line(1, "a", "100.00"), line(2, "a", "19.00"), line(1, "b", "50.00")]
    who = {70001: Supplier(70001, "Rohbau GmbH", "Köln", "DE123456789")}
    a, b = payable_invoices(lines, who, {"a": "a.pdf"})
    assert (a.key, a.amount, [r.account for r in a.rows], a.pdf_name) == (
        "a", D("119.00"), [3101, 3102], "a.pdf"
    )  # fmt: skip
    assert b.pdf_name == "" and b.supplier_name == "Rohbau GmbH"
    xml = ledger_xml(a).decode()
    assert xml.count("<accountsPayableLedger>") == 2 and 'consolidatedAmount="119.00"' in xml
    assert "<supplierCity>Köln</supplierCity>" in xml and "<vatId>DE123456789</vatId>" in xml
    assert 'name="a.pdf"' in document_xml([a, b], date(2026, 11, 25)).decode()
    assert 'name=""' not in document_xml([a, b], date(2026, 11, 25)).decode()


def test_debits_and_reversals_are_negative() -> None:
    lines = [
        line(1, "a", "100.00"),
        line(2, "a", "30.00", "S"),  # a credit
        line(3, "a", "20.00", umkehr=True),  # storno of an earlier invoice line
    ]
    (inv,) = payable_invoices(lines, {}, {})
    assert [r.amount for r in inv.rows] == [D("100.00"), D("-30.00"), D("-20.00")]
    assert inv.amount == D("50.00") and inv.supplier_name == "Kreditor 70001"
