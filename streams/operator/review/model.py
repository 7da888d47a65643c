"""A sealed batch as the advisor thinks about it: totals, lines with their source, warnings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.batch import Batch
from domain.booking import BookingLine
from domain.close_facts import record_tax
from domain.money import ZERO
from domain.planning import invoice_attachment
from domain.reconciliation import line_nets, procore_net
from domain.sealing import batch_lines
from domain.source_document import SourceDocument
from domain.tax import TAX_RULES
from streams.ledger.application import Ledger, event_payload, event_type_name
from streams.ledger.rules import BookingRules, ClientRules
from streams.operator.actions import iter_batches

_TRUNCATION_NOTES = ("shortened", "written as Belegfeld", "already used")


@dataclass(frozen=True)
class Warning:
    text: str  # English message id; the page translates it with ``values``
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Total:
    key: str
    label: str
    net: Decimal = ZERO
    tax: Decimal = ZERO
    lines: int = 0


@dataclass(frozen=True)
class ReviewLine:
    line: BookingLine
    net: Decimal
    tax: Decimal
    account_name: str
    creditor_name: str
    resource: str
    pdf: str | None  # invoice PDF file name in Procore (uploaded to DUO under the Beleglink)
    pdf_url: str | None


@dataclass(frozen=True)
class Difference:
    record_key: str
    procore: Decimal
    booked: Decimal

    @property
    def amount(self) -> Decimal:
        return self.procore - self.booked


@dataclass
class BatchReview:
    batch: Batch
    client: ClientRules
    lines: list[ReviewLine]
    by_account: list[Total]
    by_bu_key: list[Total]
    by_kost: list[Total]
    by_creditor: list[Total]
    differences: list[Difference]
    warnings: list[Warning]

    @property
    def net(self) -> Decimal:
        return sum((t.net for t in self.by_account), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((t.tax for t in self.by_account), ZERO)


def awaiting_review(ledger: Ledger) -> list[Batch]:
    """Batches sealed for review and not yet decided, oldest first."""
    return sorted(
        (b for b in iter_batches(ledger) if b.state == "in_review"), key=lambda b: b.created
    )


def reviewed(ledger: Ledger, limit: int = 20) -> list[Batch]:
    """The latest decided reviews, newest first."""
    done = [b for b in iter_batches(ledger) if b.review is not None]
    return sorted(done, key=lambda b: str((b.review or {}).get("at")), reverse=True)[:limit]


def _add(totals: dict[str, Total], key: str, label: str, net: Decimal, tax: Decimal) -> None:
    t = totals.setdefault(key, Total(key, label))
    t.net += net
    t.tax += tax
    t.lines += 1


def _notes(ledger: Ledger, doc: SourceDocument) -> list[str]:
    for event in reversed(ledger.history(doc.id)):
        if event_type_name(event).endswith("LinesPlanned"):
            return list(event_payload(event).get("notes") or [])
    return []


def review_of(ledger: Ledger, rules: BookingRules, batch_id: UUID) -> BatchReview:
    batch = ledger.load(Batch, batch_id)
    client = rules.client(batch.client_id)
    mapping, chart = client.mapping, client.chart
    lines = batch_lines(batch)
    nets = line_nets(lines, mapping, chart)
    docs = {k: ledger.document(SourceDocument.create_id(k)) for k in batch.record_keys}
    creditors = {int(c["account"]): str(c.get("name", "")) for c in batch.creditors}
    for doc in docs.values():
        vendor = (doc.context or {}).get("vendor") if doc else None
        if vendor and doc is not None:
            for line in doc.posted_lines + doc.pending_lines:
                creditors.setdefault(line.account, str(vendor.get("name", "")))
    by_account: dict[str, Total] = {}
    by_bu: dict[str, Total] = {}
    by_kost: dict[str, Total] = {}
    by_creditor: dict[str, Total] = {}
    shown: list[ReviewLine] = []
    rc_keys = {k for n, k in mapping.tax_keys.items() if TAX_RULES[n].kind == "reverse_charge"}
    rc_lines = 0
    for line, (net, tax) in zip(lines, nets, strict=True):
        acc = chart.account(line.contra_account)
        name = acc.name if acc else ""
        _add(by_account, str(line.contra_account), name, net, tax)
        key = chart.bu_keys.get(line.bu_key) if line.bu_key else None
        _add(by_bu, line.bu_key or "—", key.meaning if key else "", net, tax)
        _add(by_kost, line.kost1 or "—", "", net, tax)
        _add(by_creditor, str(line.account), creditors.get(line.account, ""), net, tax)
        if (line.bu_key and line.bu_key in rc_keys) or (
            acc and acc.automatic_tax == "reverse_charge"
        ):
            rc_lines += 1
        doc = docs.get(line.source_ref)
        attachment = invoice_attachment(doc.record or {}) if doc else None
        shown.append(
            ReviewLine(
                line,
                net,
                tax,
                name,
                creditors.get(line.account, ""),
                doc.resource if doc else "",
                attachment.filename if attachment else None,
                attachment.url if attachment else None,
            )
        )
    warnings: list[Warning] = []
    differences: list[Difference] = []
    per_record: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for doc in docs.values():
        if doc is None:
            continue
        if doc.batches and doc.batches[-1] == str(batch.id):
            after = doc.posted_lines  # what DATEV holds for the record once this batch is in
            posted = line_nets(after, mapping, chart)
            booked = sum((n for n, _ in posted), ZERO)
            booked_tax = sum((t for _, t in posted), ZERO)
            per_record[doc.key] = (booked, booked_tax)
            record = doc.record or {}
            expected = ZERO if doc.deleted else procore_net(doc.resource, record)
            if expected != booked:
                differences.append(Difference(doc.key, expected, booked))
            procore_tax = ZERO if doc.deleted else record_tax(doc.resource, record)
            if procore_tax and booked_tax and procore_tax != booked_tax:
                diff = procore_tax - booked_tax
                if abs(diff) <= Decimal("0.05"):
                    warnings.append(
                        Warning(
                            "{record}: tax rounded by {amount} EUR against Procore",
                            {"record": doc.key, "amount": diff},
                        )
                    )
        for note in _notes(ledger, doc):
            if any(word in note for word in _TRUNCATION_NOTES):
                warnings.append(Warning("{record}: {note}", {"record": doc.key, "note": note}))
    if rc_lines:
        warnings.append(
            Warning(
                "{n} line(s) under § 13b: the client owes the VAT (reverse charge)", {"n": rc_lines}
            )
        )
    reversals = sum(1 for line in lines if line.generalumkehr)
    if reversals:
        warnings.append(
            Warning("{n} reversal line(s) (Generalumkehr) for changed records", {"n": reversals})
        )
    if batch.creditors:
        names = ", ".join(str(c.get("name", c.get("account"))) for c in batch.creditors)
        warnings.append(
            Warning(
                "{n} new or changed creditor(s) (Kreditor master data): {names}",
                {"n": len(batch.creditors), "names": names},
            )
        )

    def ordered(totals: dict[str, Total]) -> list[Total]:
        return sorted(totals.values(), key=lambda t: t.key)

    return BatchReview(
        batch,
        client,
        shown,
        ordered(by_account),
        ordered(by_bu),
        ordered(by_kost),
        ordered(by_creditor),
        differences,
        warnings,
    )
