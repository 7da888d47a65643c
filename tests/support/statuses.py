"""Which Procore statuses the default mapping books (the expectation of booking tests)."""

from __future__ import annotations

from domain.mapping import BookingSettings

_DEFAULTS = BookingSettings()


def bookable_statuses(resource: str) -> set[str]:
    """``approved`` and ``approved_as_noted`` for requisitions; ``approved`` for direct costs."""
    if resource == "requisition":
        return set(_DEFAULTS.requisition_statuses)
    if resource == "direct_cost":
        return set(_DEFAULTS.direct_cost_statuses)
    return set(_DEFAULTS.commitment_statuses)
