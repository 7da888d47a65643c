"""Derive booking lines from Procore requisitions, direct costs and commitments.

Public entry points (pure; no I/O):

* ``derive_requisition_lines(req, ctx, mapping, chart) -> DerivationResult``
* ``derive_direct_cost_lines(dc, ctx, mapping, chart) -> DerivationResult``
* ``derive_commitment_lines(com, ctx, mapping, chart) -> DerivationResult``

Each returns ``Planned(lines, notes)``, ``Parked(reason, field, fix)`` or ``Ignored(reason)``.
The record's lines become priced ``Item``s in ``items``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.booking import (
    BelegfeldClaim,
    BookingLine,
    DerivationResult,
    Ignored,
    Parked,
    Planned,
)
from domain.chart import Chart
from domain.derivation.extra_lines import retention_lines, withholding_lines
from domain.derivation.items import DocumentContext, line_item, line_tax, requisition_item
from domain.derivation.lines import belegfeld1, booking_text, creditor_line
from domain.derivation.pricing import DocumentDraft, Item, Park, price_items, reconcile_totals
from domain.mapping import ClientMapping
from domain.money import ZERO
from domain.procore.records import Commitment, DirectCost, Requisition
from domain.text import clean_text


def derive_requisition_lines(
    req: Requisition, ctx: DocumentContext, mapping: ClientMapping, chart: Chart
) -> DerivationResult:
    """Book an approved subcontractor invoice: the period's work gross, plus optional
    retention and § 48 lines."""
    if req.status not in mapping.booking.requisition_statuses:
        return Ignored(reason=f"requisition status {req.status!r} is not a booking status")
    try:
        draft = _draft(
            ctx,
            mapping,
            chart,
            invoice=req.invoice_number,
            fallback=f"PC-R{req.id}",
            doc_date=req.billing_date or req.requisition_end,
            service_date=req.requisition_end,
            procore_tax=None,
        )
        items = [requisition_item(ctx, it.id, it) for it in req.items]
        draft = _with_requisition_tax(draft, req, items)
        released = sum((i.released for i in items), ZERO)
        release_only = all(i.net == ZERO for i in items) and released > ZERO
        if release_only and not mapping.booking.retention_lines:
            return Ignored(
                reason=f"release of retention only ({released}); no new expense, and "
                "booking.retention_lines is off"
            )
        return _finish(draft, items, mapping, chart, withholding=True)
    except Park as p:
        return Parked(reason=p.reason, field=p.field, fix=p.fix)


def derive_direct_cost_lines(
    dc: DirectCost, ctx: DocumentContext, mapping: ClientMapping, chart: Chart
) -> DerivationResult:
    """Book an approved direct cost (invoice, expense, subcontractor invoice)."""
    if dc.status not in mapping.booking.direct_cost_statuses:
        return Ignored(reason=f"direct cost status {dc.status!r} is not a booking status")
    try:
        draft = _draft(
            ctx,
            mapping,
            chart,
            invoice=dc.invoice_number,
            fallback=f"PC-D{dc.id}",
            doc_date=dc.direct_cost_date or dc.received_date,
            service_date=None,
            procore_tax=line_tax(dc.line_items),
            totals=(dc.grand_total,) if dc.grand_total is not None else (),
        )
        items = [line_item(ctx, li) for li in dc.line_items]
        subcontract = dc.direct_cost_type == "subcontractor_invoice"
        return _finish(draft, items, mapping, chart, withholding=subcontract)
    except Park as p:
        return Parked(reason=p.reason, field=p.field, fix=p.fix)


def derive_commitment_lines(
    com: Commitment, ctx: DocumentContext, mapping: ClientMapping, chart: Chart
) -> DerivationResult:
    """Commitments are information only unless ``booking.book_commitments`` is on."""
    if not mapping.booking.book_commitments:
        return Ignored(reason="commitments are not booked (booking.book_commitments = false)")
    if com.status.lower() not in {s.lower() for s in mapping.booking.commitment_statuses}:
        return Ignored(reason=f"commitment status {com.status!r} is not a booking status")
    try:
        draft = _draft(
            ctx,
            mapping,
            chart,
            invoice=com.number,
            fallback=f"PC-C{com.id}",
            doc_date=com.contract_date,
            service_date=None,
            procore_tax=None,
        )
        items = [line_item(ctx, li) for li in com.line_items]
        return _finish(draft, items, mapping, chart, withholding=False)
    except Park as p:
        return Parked(reason=p.reason, field=p.field, fix=p.fix)


def _draft(
    ctx: DocumentContext,
    mapping: ClientMapping,
    chart: Chart,
    *,
    invoice: str | None,
    fallback: str,
    doc_date: date | None,
    service_date: date | None,
    procore_tax: Decimal | None,
    totals: tuple[Decimal, ...] = (),
) -> DocumentDraft:
    if ctx.vendor is None:
        raise Park(
            "the record has no vendor", "vendor_id", "set the vendor on the record in Procore"
        )
    if ctx.creditor_account is None or not chart.is_creditor(ctx.creditor_account):
        low, high = chart.creditor_range
        raise Park(
            f"creditor account {ctx.creditor_account} for vendor {ctx.vendor.id} is not in "
            f"the creditor range {low}–{high}",
            f'vendors."{ctx.vendor.id}".creditor',
            f'pin one: [vendors."{ctx.vendor.id}"] creditor = {mapping.creditors.start or low}',
        )
    if doc_date is None:
        raise Park("the record has no document date", "date", "set the invoice date in Procore")
    return DocumentDraft(
        source_ref=ctx.ref.key,
        project_id=ctx.ref.project_id,
        vendor_id=ctx.vendor.id,
        vendor_label=ctx.vendor.abbreviated_name or ctx.vendor.name,
        creditor=ctx.creditor_account,
        invoice_number=invoice,
        fallback_number=fallback,
        document_date=doc_date,
        service_date=service_date,
        beleglink=ctx.document_guid,
        taken_belegfeld=ctx.taken_belegfeld,
        procore_tax=procore_tax,
        procore_totals=totals,
    )


def _finish(
    draft: DocumentDraft,
    items: Sequence[Item],
    mapping: ClientMapping,
    chart: Chart,
    *,
    withholding: bool,
) -> Planned:
    project = mapping.projects.get(draft.project_id) if draft.project_id is not None else None
    if project is None:
        pid = draft.project_id
        raise Park(
            f"project {pid} has no cost centre (KOST1) in the mapping",
            f'projects."{pid}".kost1',
            f'add to the mapping:\n[projects."{pid}"]\nkost1 = "{pid}"',
        )
    groups = price_items(mapping, chart, draft, items)
    groups = reconcile_totals(draft, groups, mapping.booking.total_tolerance)
    beleg, info, raw = belegfeld1(draft)
    text = booking_text(draft, project.name, clean_text(draft.invoice_number or "") or beleg)
    lines: list[BookingLine] = [
        creditor_line(
            draft,
            tag="expense",
            credit=g.umsatz,
            contra=g.account,
            bu_key=g.bu_key,
            beleg=beleg,
            info=info,
            text=text,
            kost1=project.kost1,
            kost2=project.kost2,
        )
        for g in groups
    ]
    common = {"beleg": beleg, "info": info, "kost1": project.kost1, "kost2": project.kost2}
    lines += retention_lines(draft, mapping, items, common)
    if withholding:
        lines += withholding_lines(draft, mapping, groups, common)
    claim = BelegfeldClaim(
        creditor=draft.creditor,
        fiscal_year_start=mapping.fiscal_year_start(draft.document_date),
        raw=raw,
        value=beleg,
    )
    return Planned(
        lines=tuple(lines),
        notes=tuple(draft.notes),
        belegfeld=claim,
        withholding=draft.withholding[0] if draft.withholding else None,
    )


def _with_requisition_tax(
    draft: DocumentDraft, req: Requisition, items: list[Item]
) -> DocumentDraft:
    """Procore's requisition tax, to check ours against.

    Procore reports 0.00 when tax is not tracked on subcontractor invoices; with tax codes on
    the commitment lines the lines' own codes decide, and the audit trail says so.
    """
    reported = req.summary.tax_applicable_to_this_payment if req.summary else None
    if reported is not None and reported == ZERO and any(i.tax_code for i in items):
        draft.notes.append(
            "Procore reports no tax on this requisition; the commitment lines' tax codes decide"
        )
        return draft
    return replace(draft, procore_tax=reported)
