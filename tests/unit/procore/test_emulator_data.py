"""The emulator's generator: deterministic, realistic, internally consistent (pure, no I/O)."""

from __future__ import annotations

import re
from decimal import Decimal

import orjson
import pytest

from domain.procore.records import Commitment, DirectCost, Requisition, Vendor
from emulators.procore.data import Size, generate
from emulators.procore.faults import Faults, parse_assignments
from emulators.procore.pdf import invoice_pdf
from emulators.procore.records import DIRECT_COST_STATUSES, REQUISITION_STATUSES


def _dump(seed: int, size: str = "small") -> bytes:
    state = generate(seed, size)
    return orjson.dumps({k: [r.data for r in v.values()] for k, v in state.rows.items()})


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert _dump(7) == _dump(7)
    assert _dump(7) != _dump(8)


def test_every_status_is_present_and_records_parse_with_connector_models() -> None:
    state = generate(7, "medium")
    reqs = [Requisition.model_validate(r.data) for r in state.rows["requisition"].values()]
    costs = [DirectCost.model_validate(r.data) for r in state.rows["direct_cost"].values()]
    assert {r.status for r in reqs} == set(REQUISITION_STATUSES)
    assert {d.status for d in costs} == set(DIRECT_COST_STATUSES)
    assert {d.direct_cost_type for d in costs} == {"invoice", "expense", "payroll"}
    assert len(state.companies) == 2
    for row in state.rows["commitment"].values():
        commitment = Commitment.model_validate({**row.data, "kind": row.kind})
        assert commitment.grand_total == sum(li.amount for li in commitment.line_items)


def test_money_is_decimal_strings_and_requisition_summary_adds_up() -> None:
    state = generate(3, "small")
    for row in state.rows["requisition"].values():
        data = row.data
        assert isinstance(data["summary"]["current_payment_due"], str)
        req = Requisition.model_validate(data)
        assert req.summary is not None
        net = sum((i.net_amount or Decimal(0)) for i in req.items)
        assert req.summary.current_payment_due == net
        assert req.summary.total_earned_less_retainage == (
            (req.summary.total_completed_and_stored_to_date or 0)
            - (req.summary.total_retainage or 0)
        )


def test_vendors_are_german_with_umlauts_vat_ids_and_valid_ibans() -> None:
    state = generate(7, "medium")
    vendors = [Vendor.model_validate(r.data) for r in state.rows["vendor"].values()]
    text = " ".join(f"{v.name} {v.address} {v.city}" for v in vendors)
    assert re.search("[äöüÄÖÜ]", text) and "ß" in text
    assert all(re.fullmatch(r"DE\d{9}", v.business_id or "") for v in vendors)
    assert len({v.name for v in vendors}) == len(vendors)
    for row in state.rows["vendor"].values():
        iban = row.data["origin_data"].removeprefix("IBAN ")
        digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
        assert int(digits) % 97 == 1


def test_numeric_size_scales_records() -> None:
    assert Size.parse(400).direct_costs == 200
    with pytest.raises(ValueError, match="unknown emulator size"):
        Size.parse("huge")


def test_pdf_is_structurally_valid() -> None:
    pdf = invoice_pdf(["Bau Müller GmbH", "Rechnung (RE-1)"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref_at:].startswith(b"xref")
    offsets = [int(line[:10]) for line in pdf[xref_at:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    assert "Müller".encode("cp1252") in pdf and b"\\(RE-1\\)" in pdf


def test_fault_assignments_from_the_cli() -> None:
    values = parse_assignments(["rate_5xx=0.25", "forbidden_projects=1,2", "storm_429=3"])
    faults = Faults.model_validate(values)
    assert faults.rate_5xx == 0.25 and faults.forbidden_projects == [1, 2]
    assert faults.storm_429_next == 3
    with pytest.raises(ValueError, match="bad fault"):
        parse_assignments(["unknown=1"])
    with pytest.raises(ValueError):
        parse_assignments(["rate_5xx=2"])
