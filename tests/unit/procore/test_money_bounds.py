"""An absurd amount in a Procore record is a field we cannot read (parked), never a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.procore.fields import Money


@pytest.mark.parametrize("raw", ["1e400", "-1e13", "Infinity", "NaN"])
def test_implausible_amounts_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match=r"amount|finite"):
        TypeAdapter(Money).validate_python(raw)


def test_ordinary_amounts_pass_unchanged() -> None:
    assert TypeAdapter(Money).validate_python("22410.70") == Decimal("22410.70")
    assert TypeAdapter(Money).validate_python(-5000.5) == Decimal("-5000.5")
