"""What a Procore record embeds about other resources: code, vendor and currency references.

These are where Procore's shapes vary most: ``wbs_code`` is an object on v1.1 items but its flat
code as a string in older payloads, a direct cost's ``vendor`` is an object on show and a name on
list. The references accept every variant; the records that carry them live in ``records``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from domain.procore.fields import ProcoreId, ProcoreModel, Rate, empty_if_null


def _ref_from_text(value: Any) -> Any:
    """Older payloads send a reference as its code/name string instead of an object."""
    if isinstance(value, str):
        return {"flat_code": value} if value.strip() else None
    return value


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


class WbsSegmentItem(ProcoreModel):
    id: ProcoreId | None = None
    code: str | None = None
    name: str | None = None
    segment_type: str | None = None


class WbsCodeRef(ProcoreModel):
    """A WBS code reference; older payloads send only the flat code as a string."""

    id: ProcoreId | None = None
    flat_code: str | None = None
    description: str | None = None
    segment_items: Annotated[list[WbsSegmentItem], BeforeValidator(empty_if_null)] = Field(
        default_factory=list
    )


WbsCode = Annotated[WbsCodeRef | None, BeforeValidator(_ref_from_text)]


class CurrencyConfiguration(ProcoreModel):
    """A record's currency; the rate converts it to ``base_currency_iso_code`` when sent."""

    currency_iso_code: str | None = None
    currency_exchange_rate: Rate | None = None
    base_currency_iso_code: str | None = None


class VendorRef(ProcoreModel):
    id: ProcoreId
    company: str | None = None
    name: str | None = None


def _vendor_ref(value: Any) -> Any:
    """Direct cost lists send the vendor's name as a string (the id is in ``vendor_id``)."""
    return None if isinstance(value, str) else value


VendorOrName = Annotated[VendorRef | None, BeforeValidator(_vendor_ref)]
"""A direct cost's vendor: the reference on show; on list only a name, read as None."""
