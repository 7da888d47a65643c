"""Money arithmetic: Decimal only, one rounding rule (half-up to the cent)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to two decimals (the only rounding rule used for money)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def spread_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (already in cents) over ``weights`` so the parts sum exactly to ``total``.

    Each part starts as ``round(total * w / sum(w))``; the leftover cents go one by one to the
    parts with the largest absolute weight (ties: earlier index first). Deterministic, and each
    part is within one cent of its exact share plus the leftover.
    """
    if not weights:
        if total != ZERO:
            raise ValueError(f"cannot spread {total} over no parts")
        return []
    basis = sum(weights, ZERO)
    if basis == ZERO:
        parts = [ZERO for _ in weights]
    else:
        parts = [to_cents(total * w / basis) for w in weights]
    rest = total - sum(parts, ZERO)
    order = sorted(range(len(weights)), key=lambda i: (-abs(weights[i]), i))
    step = CENT if rest > 0 else -CENT
    k = 0
    while rest != ZERO:
        parts[order[k % len(order)]] += step
        rest -= step
        k += 1
    return parts
