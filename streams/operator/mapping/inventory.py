"""What Procore sent for one DATEV client: cost code/type pairs, tax codes, projects, vendors.

Read from the records in the ledger (their stored Procore version and context), with how many
records and how much net money each carries, and whether it is mapped or holds records parked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from domain.changes import RecordRef
from domain.mapping import ClientMapping
from domain.money import ZERO
from domain.procore.records import Commitment, CostCode, DirectCost, Requisition, TaxCode, Vendor
from domain.source_document import SourceDocument
from streams.ledger.application import Ledger, event_topic


@dataclass(frozen=True)
class Item:
    """One priced line of a record, as the derivation sees it."""

    cost_code: str | None
    code_name: str | None
    cost_type: str | None
    type_name: str | None
    base_type: str | None
    tax_code: str | None
    net: Decimal


@dataclass
class Usage:
    records: set[str] = field(default_factory=set)
    money: Decimal = ZERO
    parked: set[str] = field(default_factory=set)

    def add(self, key: str, net: Decimal, parked: bool) -> None:
        self.records.add(key)
        self.money += net
        if parked:
            self.parked.add(key)


@dataclass
class PairRow:
    cost_code: str
    cost_type: str
    code_name: str | None
    type_name: str | None
    base_type: str | None
    account: int | None  # what the mapping books it to now (None: unmapped)
    usage: Usage = field(default_factory=Usage)
    vendors: set[int] = field(default_factory=set)

    @property
    def field(self) -> str:
        """The ``field`` a record parked for this pair names (see the derivation's Park)."""
        return f"cost_accounts[cost_code={self.cost_code!r}, cost_type={self.cost_type!r}]"


@dataclass
class TaxCodeRow:
    code: str
    description: str | None
    rate: Decimal | None
    rule: str | None
    usage: Usage = field(default_factory=Usage)

    @property
    def field(self) -> str:
        return f'tax_codes."{self.code}"'


@dataclass
class VendorRow:
    vendor_id: int
    name: str
    reverse_charge: bool
    exemption: str
    exemption_valid_until: str | None
    usage: Usage = field(default_factory=Usage)


@dataclass
class ProjectRow:
    project_id: int
    kost1: str | None
    name: str | None
    usage: Usage = field(default_factory=Usage)


@dataclass
class Inventory:
    pairs: list[PairRow]
    tax_codes: list[TaxCodeRow]
    vendors: list[VendorRow]
    projects: list[ProjectRow]
    booked_accounts: dict[int, dict[int, Decimal]]  # vendor -> contra account -> net posted


def client_documents(ledger: Ledger, mapping: ClientMapping) -> Iterator[SourceDocument]:
    """Every record of the client's Procore company and projects."""
    projects = set(mapping.procore.project_ids) | set(mapping.projects)
    for n in ledger.scan([event_topic(SourceDocument, "Registered")]):
        event: Any = ledger.decode(n)
        ref = RecordRef.parse(event.key)
        if ref.company_id != mapping.procore.company_id or ref.project_id not in projects:
            continue
        doc = ledger.document(UUID(str(n.originator_id)))
        if doc is not None and doc.record is not None:
            yield doc


def record_items(doc: SourceDocument) -> list[Item]:
    """The record's priced lines with their cost code, cost type and tax code (best effort)."""
    record, context = doc.record or {}, doc.context or {}
    try:
        codes = {
            c.id: c for c in (CostCode.model_validate(x) for x in context.get("cost_codes", []))
        }
        taxes = {t.id: t for t in (TaxCode.model_validate(x) for x in context.get("tax_codes", []))}
        if doc.resource == "requisition":
            raw = context.get("commitment")
            commitment = Commitment.model_validate(raw) if raw else None
            types = {
                li.id: li.line_item_type for li in (commitment.line_items if commitment else [])
            }
            out = []
            for it in Requisition.model_validate(record).items:
                code = codes.get(it.cost_code_id) if it.cost_code_id is not None else None
                kind = types.get(it.line_item_id) if it.line_item_id is not None else None
                out.append(
                    Item(
                        code.full_code if code else None,
                        code.name if code else None,
                        kind.code if kind else None,
                        kind.name if kind else None,
                        kind.base_type if kind else None,
                        None,
                        it.work_completed_this_period + it.materials_presently_stored,
                    )
                )
            return out
        model = DirectCost if doc.resource == "direct_cost" else Commitment
        lines = model.model_validate(record).line_items
    except ValidationError:
        return []
    out = []
    for li in lines:
        cc, kind = li.cost_code, li.line_item_type
        tax = taxes.get(li.tax_code_id) if li.tax_code_id is not None else None
        out.append(
            Item(
                (cc.full_code or cc.code) if cc else None,
                cc.name if cc else None,
                kind.code if kind else None,
                kind.name if kind else None,
                kind.base_type if kind else None,
                tax.code if tax else None,
                li.amount,
            )
        )
    return out


def _tax_table(docs: list[SourceDocument]) -> dict[str, TaxCode]:
    found: dict[str, TaxCode] = {}
    for doc in docs:
        for raw in (doc.context or {}).get("tax_codes", []):
            try:
                tax = TaxCode.model_validate(raw)
            except ValidationError:
                continue
            found.setdefault(tax.code, tax)
    return found


def inventory(ledger: Ledger, mapping: ClientMapping) -> Inventory:
    """Everything the client's records carry, grouped for the editor."""
    docs = [d for d in client_documents(ledger, mapping) if d.resource != "commitment"]
    pairs: dict[tuple[str, str], PairRow] = {}
    taxes: dict[str, TaxCodeRow] = {}
    vendors: dict[int, VendorRow] = {}
    projects = {
        pid: ProjectRow(pid, p.kost1, p.name) for pid, p in sorted(mapping.projects.items())
    }
    booked: dict[int, dict[int, Decimal]] = {}
    known_taxes = _tax_table(docs)
    for doc in docs:
        parked = doc.decision == "parked"
        reason = doc.reason or ""
        ref = RecordRef.parse(doc.key)
        raw_vendor = (doc.context or {}).get("vendor")
        vendor = _vendor(raw_vendor)
        items = record_items(doc)
        net = sum((i.net for i in items), ZERO)
        if ref.project_id is not None:
            project = projects.setdefault(ref.project_id, ProjectRow(ref.project_id, None, None))
            project.usage.add(doc.key, net, parked and "projects." in reason)
        if vendor is not None:
            facts = mapping.vendor(vendor.id)
            row = vendors.setdefault(
                vendor.id,
                VendorRow(
                    vendor.id,
                    facts.name or vendor.name,
                    facts.reverse_charge,
                    facts.exemption,
                    facts.exemption_valid_until.isoformat()
                    if facts.exemption_valid_until
                    else None,
                ),
            )
            row.usage.add(doc.key, net, parked and f'vendors."{vendor.id}"' in reason)
            per = booked.setdefault(vendor.id, {})
            for line in doc.posted_lines:  # credit on the creditor = debit on the contra account
                per[line.contra_account] = per.get(line.contra_account, ZERO) - line.signed_amount
        for item in items:
            if item.cost_code and item.cost_type:
                key = (item.cost_code, item.cost_type)
                pair = pairs.get(key)
                if pair is None:
                    account = mapping.cost_account(*key)
                    pair = pairs[key] = PairRow(
                        *key, item.code_name, item.type_name, item.base_type, account
                    )
                pair.usage.add(doc.key, item.net, parked and pair.field in reason)
                if vendor is not None:
                    pair.vendors.add(vendor.id)
            if item.tax_code:
                tax = taxes.get(item.tax_code)
                if tax is None:
                    known = known_taxes.get(item.tax_code)
                    tax = taxes[item.tax_code] = TaxCodeRow(
                        item.tax_code,
                        known.description if known else None,
                        known.rate1 if known else None,
                        mapping.tax_codes.get(item.tax_code),
                    )
                tax.usage.add(doc.key, item.net, parked and tax.field in reason)
    return Inventory(
        pairs=sorted(
            pairs.values(), key=lambda p: (p.account is not None, p.cost_code, p.cost_type)
        ),
        tax_codes=sorted(taxes.values(), key=lambda t: (t.rule is not None, t.code)),
        vendors=sorted(vendors.values(), key=lambda v: v.name),
        projects=list(projects.values()),
        booked_accounts=booked,
    )


def _vendor(raw: Any) -> Vendor | None:
    try:
        return Vendor.model_validate(raw) if raw else None
    except ValidationError:
        return None
