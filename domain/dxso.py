"""DATEV XML interface online (DXSO): ``document.xml`` plus one ledger XML per invoice.

The shapes follow DATEV's "DATEV XML-Schnittstelle online" as far as the public material names
them (an ``archive`` of ``document`` entries whose ``extension`` elements point at a ledger
data file and the invoice files; a ``LedgerImport`` with ``consolidate`` and one
``accountsPayableLedger`` per invoice). Namespaces and element names beyond those are
**unconfirmed** (docs/datev.md): check them against DATEV's XSDs before going live.
Deterministic: same invoices → same bytes. :func:`payable_invoices` turns a sealed batch's
booking lines into invoices (one per Procore record, one ledger row per line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from domain.booking import BookingLine

DOCUMENT_NS = "http://xml.datev.de/bedi/tps/document/v06.0"
LEDGER_NS = "http://xml.datev.de/bedi/tps/ledger/v060"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class PayableSplit:
    """One ledger row of an invoice: a share of the amount on one expense account."""

    amount: Decimal  # gross, EUR; negative for a credit note
    account: int
    bu_code: str | None
    booking_text: str
    cost_center: str | None = None


@dataclass(frozen=True)
class PayableInvoice:
    """One incoming invoice for DUO's accounts-payable ledger, with its PDF."""

    invoice_id: str
    invoice_date: date
    amount: Decimal  # gross, EUR
    account: int  # expense account
    bu_code: str | None
    creditor: int
    supplier_name: str
    booking_text: str
    pdf_name: str  # "" when the record has no invoice PDF
    cost_center: str | None = None
    splits: tuple[PayableSplit, ...] = ()  # several rows; empty: the one row above
    key: str = ""  # the Procore record (names the ledger file; invoice numbers may repeat)
    supplier_city: str = ""
    vat_id: str = ""

    @property
    def ledger_file(self) -> str:
        return f"ledger_{safe_name(self.key or self.invoice_id)}.xml"

    @property
    def rows(self) -> tuple[PayableSplit, ...]:
        if self.splits:
            return self.splits
        return (
            PayableSplit(
                self.amount, self.account, self.bu_code, self.booking_text, self.cost_center
            ),
        )


def safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


def _text(tag: str, value: object) -> str:
    return f"<{tag}>{_escape(str(value))}</{tag}>"


def _row(inv: PayableInvoice, row: PayableSplit) -> str:
    fields = [
        _text("date", inv.invoice_date.isoformat()),
        _text("amount", f"{row.amount:.2f}"),
        _text("accountNo", row.account),
        *([_text("buCode", row.bu_code)] if row.bu_code else []),
        _text("currencyCode", "EUR"),
        _text("invoiceId", inv.invoice_id),
        _text("bookingText", row.booking_text[:60]),
        _text("partyId", inv.creditor),
        _text("supplierName", inv.supplier_name[:50]),
        *([_text("supplierCity", inv.supplier_city[:30])] if inv.supplier_city else []),
        *([_text("vatId", inv.vat_id)] if inv.vat_id else []),
        *([_text("costCategoryId", row.cost_center)] if row.cost_center else []),
    ]
    return f"<accountsPayableLedger>{''.join(fields)}</accountsPayableLedger>"


def ledger_xml(inv: PayableInvoice) -> bytes:
    amount = f"{sum((r.amount for r in inv.rows), Decimal(0)):.2f}"
    consolidate = (
        f"<consolidate consolidatedAmount={quoteattr(amount)} "
        f"consolidatedDate={quoteattr(inv.invoice_date.isoformat())} "
        f'consolidatedInvoiceId={quoteattr(inv.invoice_id)} consolidatedCurrencyCode="EUR">'
        f"{''.join(_row(inv, r) for r in inv.rows)}</consolidate>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<LedgerImport xmlns="{LEDGER_NS}" version="6.0" '
        'generator_info="ml-connector" generating_system="ml-connector">'
        f"{consolidate}</LedgerImport>\n"
    ).encode()


def document_xml(invoices: list[PayableInvoice], created: date) -> bytes:
    docs = "".join(
        "<document>"
        f'<extension xsi:type="accountsPayableLedger" datafile={quoteattr(inv.ledger_file)}/>'
        + (f'<extension xsi:type="File" name={quoteattr(inv.pdf_name)}/>' if inv.pdf_name else "")
        + "</document>"
        for inv in invoices
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<archive xmlns="{DOCUMENT_NS}" xmlns:xsi="{XSI}" version="6.0" '
        'generatingSystem="ml-connector">'
        f"<header><date>{created.isoformat()}</date></header><content>{docs}</content></archive>\n"
    ).encode()


def dxso_files(
    invoices: list[PayableInvoice], pdfs: dict[str, bytes], created: date
) -> dict[str, bytes]:
    """Every file of one job: ``document.xml``, the ledger XMLs and the PDFs."""
    files = {"document.xml": document_xml(invoices, created)}
    for inv in invoices:
        files[inv.ledger_file] = ledger_xml(inv)
        if inv.pdf_name:
            files[inv.pdf_name] = pdfs[inv.pdf_name]
    return files


@dataclass(frozen=True)
class Supplier:
    creditor: int
    name: str
    city: str = ""
    vat_id: str = ""


def _payable_amount(line: BookingLine) -> Decimal:
    """Seen from the creditor: credited (``H``) is owed, so positive; Generalumkehr flips it."""
    credited = (line.debit_credit == "H") != line.generalumkehr
    return line.amount if credited else -line.amount


def payable_invoices(
    lines: Sequence[BookingLine],
    suppliers: Mapping[int, Supplier],
    pdf_names: Mapping[str, str],
) -> list[PayableInvoice]:
    """One invoice per Procore record of a sealed batch, one ledger row per booking line.

    A line books the creditor (``account``) against the expense account (``contra_account``);
    credited to the creditor (``H``) it is an invoice amount, debited (``S``) or reversed
    (Generalumkehr, a storno of an earlier booking) a negative one.
    """
    by_record: dict[str, list[BookingLine]] = {}
    for line in lines:
        by_record.setdefault(line.source_ref, []).append(line)
    invoices = []
    for key, group in by_record.items():
        first = group[0]
        who = suppliers.get(first.account) or Supplier(first.account, f"Kreditor {first.account}")
        splits = tuple(
            PayableSplit(
                amount=_payable_amount(line),
                account=line.contra_account,
                bu_code=line.bu_key,
                booking_text=line.text,
                cost_center=line.kost1,
            )
            for line in group
        )
        invoices.append(
            PayableInvoice(
                invoice_id=first.belegfeld1,
                invoice_date=first.document_date,
                amount=sum((s.amount for s in splits), Decimal(0)),
                account=first.contra_account,
                bu_code=first.bu_key,
                creditor=first.account,
                supplier_name=who.name,
                booking_text=first.text,
                pdf_name=pdf_names.get(key, ""),
                cost_center=first.kost1,
                splits=splits,
                key=key,
                supplier_city=who.city,
                vat_id=who.vat_id,
            )
        )
    return invoices
