"""What the derivation knows around a record, and the record's lines as ``Item``s.

``DocumentContext`` is handed in by the pipeline (vendor, creditor, codes, the commitment a
requisition bills against). An item's cost code, cost type and tax code are resolved against
it; a reference the context cannot resolve parks the record, naming the code and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.changes import RecordRef
from domain.derivation.pricing import Item, Park
from domain.money import ZERO
from domain.procore.records import Commitment, CostCode, LineItem, RequisitionItem, TaxCode, Vendor


class DocumentContext(BaseModel):
    """What the pipeline knows around one record, handed to the pure derivation."""

    model_config = ConfigDict(frozen=True)

    ref: RecordRef
    vendor: Vendor | None
    creditor_account: int | None = Field(default=None, description="from allocate_creditor")
    cost_codes: dict[int, CostCode] = Field(default_factory=dict, description="by id")
    tax_codes: dict[int, TaxCode] = Field(default_factory=dict, description="by id")
    commitment: Commitment | None = Field(default=None, description="for requisition cost types")
    document_guid: str | None = Field(default=None, description="DUO GUID → Beleglink")
    taken_belegfeld: frozenset[str] = Field(
        default=frozenset(), description="Belegfeld 1 values of OTHER invoices (vendor, year)"
    )


def requisition_item(ctx: DocumentContext, item_id: int, it: RequisitionItem) -> Item:
    """The period's work of one requisition item, typed and taxed by its commitment line."""
    code = ctx.cost_codes.get(it.cost_code_id) if it.cost_code_id is not None else None
    if it.cost_code_id is not None and code is None:
        raise Park(
            f"cost code id {it.cost_code_id} of requisition item {item_id} is unknown",
            "cost_codes",
            "load the project's cost codes before deriving (pipeline context)",
        )
    line = _commitment_line(ctx, it.line_item_id)
    ctype = line.line_item_type.code if line and line.line_item_type else None
    if ctype is None:
        raise Park(
            f"requisition item {item_id}: cost type unknown (commitment line "
            f"{it.line_item_id} not found or has no line item type)",
            "cost_type",
            "pass the commitment with its line items, or set the cost type in Procore",
        )
    tax = _tax_code(ctx, line.tax_code_id if line else None, f"commitment line {it.line_item_id}")
    return Item(
        item_id=item_id,
        net=it.work_completed_this_period + it.materials_presently_stored,
        cost_code=code.full_code if code else None,
        cost_type=ctype,
        tax_code=tax.code if tax else None,
        tax_code_rate=tax.rate1 if tax else None,
        retained=it.work_completed_retainage_retained_this_period,
        released=it.work_completed_retainage_released_this_period,
    )


def _commitment_line(ctx: DocumentContext, line_item_id: int | None) -> LineItem | None:
    if line_item_id is None or ctx.commitment is None:
        return None
    return next((li for li in ctx.commitment.line_items if li.id == line_item_id), None)


def _tax_code(ctx: DocumentContext, tax_code_id: int | None, where: str) -> TaxCode | None:
    if tax_code_id is None:
        return None
    tax = ctx.tax_codes.get(tax_code_id)
    if tax is None:
        raise Park(
            f"tax code id {tax_code_id} of {where} is unknown",
            "tax_codes",
            "load the company's tax codes before deriving (pipeline context)",
        )
    return tax


def line_item(ctx: DocumentContext, li: LineItem) -> Item:
    """A commitment or direct-cost line, with its cost code, cost type and tax code."""
    tax = _tax_code(ctx, li.tax_code_id, f"line {li.id}")
    code = li.cost_code.full_code or li.cost_code.code if li.cost_code else None
    return Item(
        item_id=li.id,
        net=li.amount,
        cost_code=code,
        cost_type=li.line_item_type.code if li.line_item_type else None,
        tax_code=tax.code if tax else None,
        tax_code_rate=tax.rate1 if tax else None,
    )


def line_tax(items: Sequence[LineItem]) -> Decimal | None:
    """Procore's tax on direct-cost lines, where ``total_amount`` differs from ``amount``."""
    with_total = [li for li in items if li.total_amount is not None]
    if not with_total or len(with_total) != len(items):
        return None
    tax = sum((li.total_amount - li.amount for li in with_total if li.total_amount), ZERO)
    return tax if tax != ZERO else None
