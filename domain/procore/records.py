"""Pydantic models of the Procore resources the connector reads.

Shapes follow Procore REST v1.x (see shared reference `procore.md`): integer ids (64-bit), money as
decimal strings parsed to ``Decimal``, line-item quantities as JSON numbers. Models ignore unknown
fields (Procore adds fields freely) but are strict about the ones the connector uses.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer


def _to_decimal(value: Any) -> Any:
    if isinstance(value, float):
        # JSON numbers (quantities, unit costs) arrive as floats; go through repr, never binary.
        return Decimal(repr(value))
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
"""A money amount: Decimal in Python, a decimal string in JSON (as Procore sends it)."""

ProcoreId = Annotated[int, Field(ge=0, le=2**63 - 1)]


class ProcoreModel(BaseModel):
    """Base for Procore payloads: unknown fields ignored, ids coerced from strings (REST v2/v4)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Company(ProcoreModel):
    id: ProcoreId
    name: str
    is_active: bool = True


class Project(ProcoreModel):
    id: ProcoreId
    name: str
    project_number: str | None = None
    company_id: ProcoreId | None = None
    active: bool = True
    updated_at: datetime | None = None


class Attachment(ProcoreModel):
    id: ProcoreId
    url: str
    filename: str
    content_type: str | None = None


class CostCodeRef(ProcoreModel):
    id: ProcoreId
    code: str | None = None
    full_code: str | None = None
    name: str | None = None


class LineItemTypeRef(ProcoreModel):
    id: ProcoreId
    name: str | None = None
    code: str | None = None
    base_type: str | None = None


class WbsCodeRef(ProcoreModel):
    id: ProcoreId
    flat_code: str | None = None
    description: str | None = None


class CostCode(ProcoreModel):
    id: ProcoreId
    code: str
    full_code: str
    name: str
    origin_id: str | None = None


class LineItemType(ProcoreModel):
    id: ProcoreId
    name: str
    code: str
    base_type: str | None = None
    origin_id: str | None = None


class TaxCode(ProcoreModel):
    id: ProcoreId
    code: str
    description: str | None = None
    rate1: Decimal | None = None
    archived: bool = False


class Vendor(ProcoreModel):
    id: ProcoreId
    name: str
    abbreviated_name: str | None = None
    legal_name: str | None = None
    trade_name: str | None = None
    address: str | None = None
    city: str | None = None
    state_code: str | None = None
    zip: str | None = None
    country_code: str | None = None
    email_address: str | None = None
    business_phone: str | None = None
    business_id: str | None = None
    is_active: bool = True
    origin_id: str | None = None
    origin_code: str | None = None
    updated_at: datetime | None = None


class LineItem(ProcoreModel):
    """A commitment or direct-cost line item."""

    id: ProcoreId
    position: int | None = None
    description: str | None = None
    amount: Money
    quantity: Money | None = None
    unit_cost: Money | None = None
    uom: str | None = None
    total_amount: Money | None = None
    tax_code_id: ProcoreId | None = None
    cost_code: CostCodeRef | None = None
    line_item_type: LineItemTypeRef | None = None
    wbs_code: WbsCodeRef | None = None


CommitmentKind = Literal["purchase_order_contract", "work_order_contract"]


class VendorRef(ProcoreModel):
    id: ProcoreId
    company: str | None = None


class CurrencyConfiguration(ProcoreModel):
    currency_iso_code: str = "EUR"


class Commitment(ProcoreModel):
    """A purchase order contract or a work order contract (subcontract)."""

    id: ProcoreId
    kind: CommitmentKind = "purchase_order_contract"
    number: str | None = None
    title: str | None = None
    status: str
    executed: bool = False
    vendor: VendorRef | None = None
    grand_total: Money | None = None
    revised_contract: Money | None = None
    retainage_percent: Money | None = None
    accounting_method: str | None = None
    contract_date: date | None = None
    currency_configuration: CurrencyConfiguration | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    origin_id: str | None = None
    updated_at: datetime | None = None


RequisitionStatus = Literal[
    "draft",
    "under_review",
    "revise_and_resubmit",
    "approved",
    "approved_as_noted",
    "pending_owner_approval",
]


class RequisitionSummary(ProcoreModel):
    original_contract_sum: Money | None = None
    contract_sum_to_date: Money | None = None
    total_completed_and_stored_to_date: Money | None = None
    total_retainage: Money | None = None
    total_earned_less_retainage: Money | None = None
    less_previous_certificates_for_payment: Money | None = None
    current_payment_due: Money | None = None
    tax_applicable_to_this_payment: Money | None = None


class RequisitionItem(ProcoreModel):
    id: ProcoreId
    item_type: str = "contract_item"
    line_item_id: ProcoreId | None = None
    cost_code_id: ProcoreId | None = None
    wbs_code: str | None = None
    description_of_work: str | None = None
    scheduled_value: Money | None = None
    work_completed_this_period: Money = Decimal("0")
    materials_presently_stored: Money = Decimal("0")
    work_completed_retainage_retained_this_period: Money = Decimal("0")
    work_completed_retainage_released_this_period: Money = Decimal("0")
    net_amount: Money | None = None
    gross_amount: Money | None = None


class Requisition(ProcoreModel):
    """A subcontractor invoice (called *requisition* in the API)."""

    id: ProcoreId
    number: int | None = None
    invoice_number: str | None = None
    status: str
    commitment_id: ProcoreId | None = None
    contract_name: str | None = None
    vendor_id: ProcoreId | None = None
    vendor_name: str | None = None
    period_id: ProcoreId | None = None
    billing_date: date | None = None
    requisition_start: date | None = None
    requisition_end: date | None = None
    final: bool = False
    origin_id: str | None = None
    currency_configuration: CurrencyConfiguration | None = None
    summary: RequisitionSummary | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    items: list[RequisitionItem] = Field(default_factory=list)
    updated_at: datetime | None = None


DirectCostType = Literal["invoice", "expense", "payroll", "subcontractor_invoice"]


class DirectCost(ProcoreModel):
    id: ProcoreId
    direct_cost_type: str = "invoice"
    status: str
    invoice_number: str | None = None
    description: str | None = None
    vendor_id: ProcoreId | None = None
    vendor_name: str | None = None
    direct_cost_date: date | None = None
    received_date: date | None = None
    payment_date: date | None = None
    terms: str | None = None
    grand_total: Money | None = None
    origin_id: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    updated_at: datetime | None = None
