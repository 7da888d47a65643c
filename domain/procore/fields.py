"""The parts every Procore model is built of: exact money, rates and ids, and the base model.

Money arrives as a decimal string or a JSON number; both are read exactly into ``Decimal`` and
written back as decimal strings. An amount that cannot be a booking (infinite, ``1e400``) fails
validation, and ``json_path`` names the field for the parked record's error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer


def _to_decimal(value: Any) -> Any:
    if isinstance(value, float):
        # JSON numbers (quantities, unit costs) arrive as floats; go through repr, never binary.
        return Decimal(repr(value))
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


MONEY_LIMIT = Decimal(10) ** 12  # far above any invoice; DATEV's Umsatz holds 10 digits


def _plausible(value: Decimal) -> Decimal:
    """Finite and below ``MONEY_LIMIT``: ``1e400`` is a broken record, not an amount to book."""
    if not value.is_finite() or abs(value) >= MONEY_LIMIT:
        raise ValueError(f"not a plausible amount: {value}")
    return value


def _zero_if_null(value: Any) -> Any:
    return Decimal("0") if value is None else _to_decimal(value)


def empty_if_null(value: Any) -> Any:
    """A list field Procore sends as ``null`` when empty."""
    return [] if value is None else value


def json_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """An error location as JSON path: ``("items", 0, "wbs_code")`` → ``$.items[0].wbs_code``."""
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


Money = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    AfterValidator(_plausible),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
"""A money amount: Decimal in Python, a decimal string in JSON (as Procore sends it)."""

MoneyOrZero = Annotated[
    Decimal,
    BeforeValidator(_zero_if_null),
    AfterValidator(_plausible),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
"""An amount where ``null`` means nothing (e.g. no materials stored this period)."""

Rate = Annotated[Decimal, BeforeValidator(_to_decimal)]
"""An exchange or tax rate: number or string in JSON, exact Decimal here."""

ProcoreId = Annotated[int, Field(ge=0, le=2**63 - 1)]


class ProcoreModel(BaseModel):
    """Base for Procore payloads: unknown fields ignored, ids coerced from strings (REST v2/v4)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
