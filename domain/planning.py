"""From a folded record to a booking decision: routing, context, creditor number, derivation.

Pure: the caller hands in the record's aggregate, its route (the client's mapping and chart),
the client's ``CreditorRegistry`` and ``ClientPeriods``; ``book`` records the decision as events
on the record's aggregate, new creditor numbers as events on the registry.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson
from pydantic import ValidationError

from domain.belegfeld import BelegfeldRegistry, assign_belegfeld
from domain.booking import (
    BelegfeldClaim,
    DerivationResult,
    Ignored,
    Parked,
    Planned,
    WithholdingClaim,
)
from domain.changes import ProcoreChange, RecordRef
from domain.chart import Chart
from domain.creditor_registry import CreditorRegistry
from domain.creditors import CreditorRangeExhausted, allocate_creditor
from domain.derivation import (
    DocumentContext,
    derive_commitment_lines,
    derive_direct_cost_lines,
    derive_requisition_lines,
)
from domain.mapping import ClientMapping
from domain.periods import book_in_open_periods
from domain.periods.register import ClientPeriods
from domain.procore.currency import apply_currency
from domain.procore.fields import json_path
from domain.procore.needs import PARTIAL
from domain.procore.records import (
    Attachment,
    Commitment,
    CostCode,
    DirectCost,
    Requisition,
    TaxCode,
    Vendor,
)
from domain.source_changes import apply_decision, fold_change
from domain.source_document import SourceDocument
from domain.withholding import WithholdingYear, apply_small_amount_limit

DOCUMENT_NAMESPACE = uuid.UUID("9d7c2b14-3e5f-4a6b-8c9d-0e1f2a3b4c5d")
BOOKABLE = ("requisition", "direct_cost", "commitment")


def route(mappings: Sequence[ClientMapping], ref: RecordRef) -> ClientMapping | str:
    """The client mapping that books ``ref``, or the reason why none does."""
    companies = [m for m in mappings if m.procore.company_id == ref.company_id]
    if not companies:
        return f"Procore company {ref.company_id} is not mapped to any DATEV client"
    for mapping in companies:
        projects = set(mapping.procore.project_ids) | set(mapping.projects)
        if ref.project_id in projects:
            return mapping
    return (
        f"project {ref.project_id} of company {ref.company_id} is not in any DATEV client "
        "mapping (add it to [procore] project_ids and [projects] to book it)"
    )


def document_guid(record_key: str, attachment: Attachment) -> str:
    """Deterministic DUO document GUID for one attachment of one record (idempotent uploads)."""
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{record_key}:{attachment.id}"))


def invoice_attachment(record: dict[str, Any]) -> Attachment | None:
    """The record's invoice PDF (first PDF attachment), if it has one."""
    for raw in record.get("attachments") or []:
        try:
            att = Attachment.model_validate(raw)
        except ValidationError:
            continue
        is_pdf = (att.content_type or "").lower() == "application/pdf"
        if is_pdf or att.filename.lower().endswith(".pdf"):
            return att
    return None


CodeModel = TypeVar("CodeModel", CostCode, TaxCode)


def _by_id(model: type[CodeModel], raw: list[Any]) -> dict[int, CodeModel]:
    """A context list's models by id. The lists repeat across a project's records, so each
    distinct list is validated once (the models are frozen, so sharing them is safe)."""
    return dict(_validated(model, orjson.dumps(raw)))


@functools.lru_cache(maxsize=256)
def _validated(model: type[CodeModel], blob: bytes) -> tuple[tuple[int, CodeModel], ...]:
    return tuple((m.id, m) for m in (model.model_validate(x) for x in orjson.loads(blob)))


def _field_of(exc: ValidationError) -> str:
    """The JSON path of the first unreadable field, e.g. ``$.items[0].wbs_code``."""
    return json_path(exc.errors()[0]["loc"])


def decide(
    doc: SourceDocument, mapping: ClientMapping, chart: Chart, registry: CreditorRegistry
) -> DerivationResult:
    """Derive the booking decision for the document's current version."""
    result = _decide(doc, mapping, chart, registry)
    partial = (doc.context or {}).get(PARTIAL)
    if partial and not isinstance(result, Ignored):
        # Read as listed because no client booked its status then; the rules changed since.
        return Parked(
            reason=f"{doc.key} books now, but was read without all it needs ({partial})",
            field="status",
            fix="the nightly sweep reads it whole with the current rules; or edit it in Procore",
        )
    return result


def _decide(
    doc: SourceDocument, mapping: ClientMapping, chart: Chart, registry: CreditorRegistry
) -> DerivationResult:
    record = doc.record or {}
    context = doc.context or {}
    ref = RecordRef.parse(doc.key)
    try:
        vendor_raw = context.get("vendor")
        vendor = Vendor.model_validate(vendor_raw) if vendor_raw else None
        commitment_raw = context.get("commitment")
        commitment = Commitment.model_validate(commitment_raw) if commitment_raw else None
        cost_codes = _by_id(CostCode, context.get("cost_codes", []))
        tax_codes = _by_id(TaxCode, context.get("tax_codes", []))
    except ValidationError as exc:
        return Parked(
            reason=f"Procore context data is malformed: {exc.errors()[0]['msg']}",
            field=f"context:{_field_of(exc)}",
            fix="check the record in Procore; replay it once the data is corrected",
        )
    creditor: int | None = None
    if vendor is not None:
        try:
            creditor = allocate_creditor(vendor.id, mapping, registry.assigned)
        except CreditorRangeExhausted as exc:
            return Parked(reason=str(exc), field="creditors.start", fix="raise [creditors] start")
        if registry.assigned.get(vendor.id) != creditor:
            registry.assign(vendor_id=vendor.id, account=creditor)
    attachment = invoice_attachment(record)
    ctx = DocumentContext(
        ref=ref,
        vendor=vendor,
        creditor_account=creditor,
        cost_codes=cost_codes,
        tax_codes=tax_codes,
        commitment=commitment,
        document_guid=document_guid(doc.key, attachment) if attachment else None,
    )
    rates = mapping.booking.exchange_rates
    try:
        if doc.resource == "requisition":
            req = Requisition.model_validate(record)
            planned = derive_requisition_lines(req, ctx, mapping, chart)
            return apply_currency(planned, record, doc.key, rates)
        if doc.resource == "direct_cost":
            dc = DirectCost.model_validate(record)
            planned = derive_direct_cost_lines(dc, ctx, mapping, chart)
            return apply_currency(planned, record, doc.key, rates)
        if doc.resource == "commitment":
            com = Commitment.model_validate(record)
            planned = derive_commitment_lines(com, ctx, mapping, chart)
            return apply_currency(planned, record, doc.key, rates)
    except ValidationError as exc:
        err = exc.errors()[0]
        return Parked(
            reason=f"Procore {doc.resource} is malformed: {err['msg']} (got {err.get('input')!r})",
            field=_field_of(exc),
            fix="correct the record in Procore; it is re-read on its next change or replay",
        )
    return Ignored(reason=f"{doc.resource} records are not booked")


class Route(Protocol):
    """Where a record books: a DATEV client's mapping and its declared chart."""

    @property
    def client_id(self) -> str: ...

    @property
    def mapping(self) -> ClientMapping: ...

    @property
    def chart(self) -> Chart: ...


def book(
    doc: SourceDocument,
    route: Route | str,
    registry: CreditorRegistry | None = None,
    periods: ClientPeriods | None = None,
    belegfelder: Callable[[BelegfeldClaim], BelegfeldRegistry] | None = None,
    years: Callable[[WithholdingClaim], WithholdingYear] | None = None,
) -> bool:
    """The booking decision for the document's current version, recorded on its aggregate.

    ``route`` is the client that books the record or the reason none does (then ``registry``
    and ``periods`` are not needed). New creditor numbers are recorded on ``registry``;
    nothing is booked into a month closed in ``periods``; ``belegfelder`` loads the Belegfeld
    registry of a claim's creditor and fiscal year, which makes Belegfeld 1 unique; ``years``
    the supplier's § 48 year (small-amount limit). Returns True if the decision changed.
    """
    if isinstance(route, str):
        if doc.decision == "ignored" and doc.reason == route:
            return False
        doc.ignore(record_key=doc.key, client_id=None, reason=route)
        return True
    if registry is None or periods is None:
        raise ValueError(f"booking {doc.key} needs the creditor registry and periods of its client")
    result = None if doc.deleted else decide(doc, route.mapping, route.chart, registry)
    if isinstance(result, Planned) and result.belegfeld is not None and belegfelder is not None:
        result = assign_belegfeld(result, doc.key, belegfelder(result.belegfeld))
    if isinstance(result, Planned) and result.withholding is not None and years is not None:
        result = apply_small_amount_limit(result, doc.key, years(result.withholding))
    result, reversal_date = book_in_open_periods(doc.posted_lines, result, periods.closed)
    return apply_decision(
        doc,
        route.client_id,
        result,
        method=route.mapping.booking.reversal,
        reversal_date=reversal_date,
    )


@dataclass(frozen=True)
class Booking:
    """What deciding a record's booking needs: its route and, if routed, the client's books."""

    route: Route | str
    registry: CreditorRegistry | None = None
    periods: ClientPeriods | None = None
    belegfelder: Callable[[BelegfeldClaim], BelegfeldRegistry] | None = None
    years: Callable[[WithholdingClaim], WithholdingYear] | None = None


def observe(
    doc: SourceDocument | None, change: ProcoreChange, booking: Booking | None
) -> SourceDocument | None:
    """Fold one observed change into the record and decide its booking (``booking`` None:
    no rules, stored only). Returns the record if it gained events, else None."""
    folded = fold_change(doc, change)
    if folded is not None and booking is not None and folded.resource in BOOKABLE:
        book(
            folded,
            booking.route,
            booking.registry,
            booking.periods,
            booking.belegfelder,
            booking.years,
        )
    return folded
