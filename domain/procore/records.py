"""Pydantic models of the Procore resources the connector reads.

Shapes follow Procore's published OpenAPI spec (trimmed copies in ``tests/fixtures/procore``):
integer ids (64-bit), money as decimal strings (some fields as JSON numbers; both are read
exactly into ``Decimal``). Procore varies in places — ``wbs_code`` is an object on v1.1 items but
a string in older payloads, a direct cost's ``vendor`` is an object on show and a name on list,
``currency_exchange_rate`` is a number or a string — and every optional field may be ``null``.
Models accept all of these and ignore unknown fields, but stay strict about the fields a
booking needs: a record that still does not fit is parked with the JSON path of the field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from domain.changes import CommitmentKind
from domain.procore.fields import Money, MoneyOrZero, ProcoreId, ProcoreModel, Rate, empty_if_null
from domain.procore.refs import (
    CostCodeRef,
    CurrencyConfiguration,
    LineItemTypeRef,
    VendorOrName,
    VendorRef,
    WbsCode,
)


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


Lines = Annotated[list["LineItem"], BeforeValidator(empty_if_null)]


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
    rate1: Rate | None = None
    archived: bool | None = False


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
    is_active: bool | None = True
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
    wbs_code: WbsCode = None
    currency_configuration: CurrencyConfiguration | None = None


# ``type`` on ``/rest/v1.0/commitments/{id}`` and ``commitment_type`` on requisitions.
COMMITMENT_TYPES: dict[str, CommitmentKind] = {
    "PurchaseOrderContract": "purchase_order_contract",
    "WorkOrderContract": "work_order_contract",
}


def commitment_kind(type_name: Any) -> CommitmentKind | None:
    """``"WorkOrderContract"`` → ``"work_order_contract"``; None when unknown."""
    return COMMITMENT_TYPES.get(type_name) if isinstance(type_name, str) else None


Attachments = Annotated[list[Attachment], BeforeValidator(empty_if_null)]


class Commitment(ProcoreModel):
    """A purchase order contract or a work order contract (subcontract)."""

    id: ProcoreId
    kind: CommitmentKind = "purchase_order_contract"
    number: str | None = None
    title: str | None = None
    status: str
    executed: bool | None = False
    vendor: VendorRef | None = None
    grand_total: Money | None = None
    revised_contract: Money | None = None
    retainage_percent: Money | None = None
    accounting_method: str | None = None
    contract_date: date | None = None
    currency_configuration: CurrencyConfiguration | None = None
    line_items: Lines = Field(default_factory=list)
    attachments: Attachments = Field(default_factory=list)
    origin_id: str | None = None
    updated_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_from_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and "kind" not in data:
            kind = commitment_kind(data.get("type"))
            if kind is not None:
                return {**data, "kind": kind}
        return data


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
    item_type: Annotated[str, BeforeValidator(lambda v: "contract_item" if v is None else v)] = (
        "contract_item"
    )
    line_item_id: ProcoreId | None = None
    cost_code_id: ProcoreId | None = None
    wbs_code: WbsCode = None
    description_of_work: str | None = None
    scheduled_value: Money | None = None
    work_completed_this_period: MoneyOrZero = Decimal("0")
    materials_presently_stored: MoneyOrZero = Decimal("0")
    work_completed_retainage_retained_this_period: MoneyOrZero = Decimal("0")
    work_completed_retainage_released_this_period: MoneyOrZero = Decimal("0")
    net_amount: Money | None = None
    gross_amount: Money | None = None
    currency_configuration: CurrencyConfiguration | None = None


class Requisition(ProcoreModel):
    """A subcontractor invoice (called *requisition* in the API)."""

    id: ProcoreId
    number: int | None = None
    invoice_number: str | None = None
    status: str
    commitment_id: ProcoreId | None = None
    commitment_type: str | None = None
    contract_name: str | None = None
    vendor_id: ProcoreId | None = None
    vendor_name: str | None = None
    period_id: ProcoreId | None = None
    billing_date: date | None = None
    requisition_start: date | None = None
    requisition_end: date | None = None
    final: bool | None = False
    origin_id: str | None = None
    currency_configuration: CurrencyConfiguration | None = None
    summary: RequisitionSummary | None = None
    attachments: Attachments = Field(default_factory=list)
    items: Annotated[list[RequisitionItem], BeforeValidator(empty_if_null)] = Field(
        default_factory=list
    )
    updated_at: datetime | None = None


DirectCostType = Literal["invoice", "expense", "payroll", "subcontractor_invoice"]


class DirectCost(ProcoreModel):
    id: ProcoreId
    direct_cost_type: Annotated[str, BeforeValidator(lambda v: "invoice" if v is None else v)] = (
        "invoice"
    )
    status: str
    invoice_number: str | None = None
    description: str | None = None
    vendor_id: ProcoreId | None = None
    vendor_name: str | None = None
    vendor: VendorOrName = None
    direct_cost_date: date | None = None
    received_date: date | None = None
    payment_date: date | None = None
    terms: str | None = None
    grand_total: Money | None = None
    origin_id: str | None = None
    currency_configuration: CurrencyConfiguration | None = None
    attachments: Attachments = Field(default_factory=list)
    line_items: Lines = Field(default_factory=list)
    updated_at: datetime | None = None
