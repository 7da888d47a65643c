"""Booking derivation: a Procore record → ``Planned | Parked | Ignored`` (pure; no I/O).

``records``: requisitions, direct costs and commitments → draft; ``items``: the context and the
record's lines as items; ``pricing``: items → accounts, tax rules, rounded amounts; ``lines``:
Belegfeld 1, Buchungstext, creditor lines; ``extra_lines``: retention and § 48 EStG lines.
"""

from domain.derivation.items import DocumentContext
from domain.derivation.records import (
    derive_commitment_lines,
    derive_direct_cost_lines,
    derive_requisition_lines,
)

__all__ = [
    "DocumentContext",
    "derive_commitment_lines",
    "derive_direct_cost_lines",
    "derive_requisition_lines",
]
