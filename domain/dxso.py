"""DATEV XML interface online (DXSO): ``document.xml`` plus one ledger XML per invoice.

The shapes follow DATEV's "DATEV XML-Schnittstelle online" as far as the public material names
them (an ``archive`` of ``document`` entries whose ``extension`` elements point at a ledger
data file and the invoice files; a ``LedgerImport`` with ``consolidate`` and one
``accountsPayableLedger`` per invoice). Namespaces and element names beyond those are
**unconfirmed** (docs/datev.md): check them against DATEV's XSDs before going live.
Deterministic: same invoices → same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

DOCUMENT_NS = "http://xml.datev.de/bedi/tps/document/v06.0"
LEDGER_NS = "http://xml.datev.de/bedi/tps/ledger/v060"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


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
    pdf_name: str
    cost_center: str | None = None

    @property
    def ledger_file(self) -> str:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.invoice_id)
        return f"ledger_{safe}.xml"


def _text(tag: str, value: object) -> str:
    return f"<{tag}>{_escape(str(value))}</{tag}>"


def ledger_xml(inv: PayableInvoice) -> bytes:
    amount = f"{inv.amount:.2f}"
    fields = [
        _text("date", inv.invoice_date.isoformat()),
        _text("amount", amount),
        _text("accountNo", inv.account),
        *([_text("buCode", inv.bu_code)] if inv.bu_code else []),
        _text("currencyCode", "EUR"),
        _text("invoiceId", inv.invoice_id),
        _text("bookingText", inv.booking_text[:60]),
        _text("partyId", inv.creditor),
        _text("supplierName", inv.supplier_name[:50]),
        *([_text("costCategoryId", inv.cost_center)] if inv.cost_center else []),
    ]
    consolidate = (
        f"<consolidate consolidatedAmount={quoteattr(amount)} "
        f"consolidatedDate={quoteattr(inv.invoice_date.isoformat())} "
        f'consolidatedInvoiceId={quoteattr(inv.invoice_id)} consolidatedCurrencyCode="EUR">'
        f"<accountsPayableLedger>{''.join(fields)}</accountsPayableLedger></consolidate>"
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
        f'<extension xsi:type="File" name={quoteattr(inv.pdf_name)}/>'
        "</document>"
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
        files[inv.pdf_name] = pdfs[inv.pdf_name]
    return files
