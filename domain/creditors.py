"""Stable creditor numbers: a pure allocator that never reuses a number."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from domain.chart import creditor_range
from domain.mapping import ClientMapping


class CreditorRangeExhausted(ValueError):
    """No free creditor number is left above the configured start."""


def allocate_creditor(
    vendor_id: int,
    mapping: ClientMapping,
    assigned: Mapping[int, int],
    retired: Collection[int] = (),
) -> int:
    """The creditor number for ``vendor_id``.

    Order: a number pinned in the mapping (``[vendors."<id>"] creditor``), else the number already
    assigned (``assigned``: vendor id → number, as persisted by the caller), else the lowest free
    number from ``creditors.start`` upward that is neither assigned, pinned for another vendor,
    nor ``retired``. The caller persists the result; numbers are never reused.
    """
    pinned = mapping.vendors.get(vendor_id)
    if pinned is not None and pinned.creditor is not None:
        return pinned.creditor
    if vendor_id in assigned:
        return assigned[vendor_id]
    low, high = creditor_range(mapping.client.account_length)
    taken = set(assigned.values()) | set(retired)
    taken |= {v.creditor for v in mapping.vendors.values() if v.creditor is not None}
    number = mapping.creditors.start or low
    while number in taken:
        number += 1
    if number > high:
        raise CreditorRangeExhausted(
            f"no free creditor number between {mapping.creditors.start or low} and {high}; "
            "lower creditors.start or pin numbers for vendors in the mapping"
        )
    return number
