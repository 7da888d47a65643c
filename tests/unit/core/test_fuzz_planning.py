"""Nasty Procore records never crash the fold or the booking decision, and never half-book.

Each record ends either planned (with valid lines whose text cannot break the EXTF CSV),
parked with a reason naming a field, or ignored by a rule.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.booking import Ignored, Parked, Planned
from domain.changes import ProcoreChange, RecordRef
from domain.chart import build_chart
from domain.creditor_registry import CreditorRegistry
from domain.extf import read_extf, write_buchungsstapel
from domain.mapping import ClientMapping
from domain.planning import decide
from domain.source_changes import fold_change

MAPPING = ClientMapping.model_validate(
    {
        "client": {"advisor_number": 29098, "client_number": 55003},
        "procore": {"company_id": 1, "project_ids": [2]},
        "projects": {"2": {"kost1": "P2"}},
        "cost_type_defaults": {"S": 3100, "M": 3200},
        "tax_codes": {"VSt19": "vst19", "13b": "rc13b_19"},
        "creditors": {"start": 70100},
    }
)
CHART = build_chart("03", 4)

NASTY_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            '";DROP;"',
            "Mu\u0308ller GmbH",  # NFD
            "Bau 🏗️ GmbH",
            "line\r\nbreak;semi",
            "\x00\x1f",
            "€ßÄ",
            "+SUM(1,2)",
            "@now",
        ]
    ),
)
NUMBERISH = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["-100.00", "0.00", "1e400", "NaN", "abc", "", "99999999999999.99"]),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True),
    st.none(),
)


def line_item() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.integers(0, 10**12),
            "amount": NUMBERISH,
            "description": NASTY_TEXT,
            "tax_code_id": st.sampled_from([None, 11, 13, 99]),
            "cost_code": st.one_of(
                st.none(), st.fixed_dictionaries({"id": st.integers(1, 5), "full_code": NASTY_TEXT})
            ),
            "line_item_type": st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {"id": st.integers(1, 5), "code": st.sampled_from(["S", "M", "Z", ""])}
                ),
            ),
        }
    )


GOOD_AMOUNT = st.decimals(min_value=-5000, max_value=10**7, places=2, allow_nan=False).map(str)
GOOD_LINE = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**9),
        "amount": GOOD_AMOUNT,
        "description": NASTY_TEXT,
        "tax_code_id": st.sampled_from([None, 11, 13]),
        "cost_code": st.just({"id": 1, "full_code": "03-300"}),
        "line_item_type": st.fixed_dictionaries(
            {"id": st.just(2), "code": st.sampled_from(["S", "M"])}
        ),
    }
)
PLAUSIBLE = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**9),
        "status": st.just("approved"),
        "invoice_number": st.one_of(st.none(), NASTY_TEXT),
        "vendor_id": st.just(7),
        "direct_cost_date": st.dates().map(str),
        "description": NASTY_TEXT,
        "line_items": st.lists(GOOD_LINE, min_size=1, max_size=5),
        "attachments": st.just([]),
    }
)
RANDOM = st.fixed_dictionaries(
    {
        "id": st.one_of(st.integers(-5, 10**13), st.text(max_size=5)),
        "status": st.sampled_from(["approved", "draft", "APPROVED", "", "weird"]),
        "invoice_number": st.one_of(st.none(), NASTY_TEXT),
        "vendor_id": st.sampled_from([None, 7, "7"]),
        "direct_cost_date": st.sampled_from(["2026-10-01", "2026-02-30", "yesterday", None]),
        "grand_total": NUMBERISH,
        "line_items": st.lists(line_item(), max_size=4),
        "attachments": st.just([]),
    }
)
RECORDS = st.one_of(RANDOM, PLAUSIBLE)
VENDOR = {"id": 7, "name": "Bau Müller GmbH", "country_code": "DE"}
TAXES = [{"id": 11, "code": "VSt19", "rate1": 19.0}, {"id": 13, "code": "13b", "rate1": 0.0}]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=RECORDS, vendor_name=NASTY_TEXT)
def test_any_direct_cost_is_planned_parked_or_ignored_never_a_crash(
    record: dict[str, Any], vendor_name: str
) -> None:
    change = ProcoreChange(
        ref=RecordRef(company_id=1, project_id=2, resource="direct_cost", resource_id=5),
        action="update",
        source="webhook",
        observed_at=datetime(2026, 11, 1, tzinfo=UTC),
        record=record,
        context={
            "vendor": {**VENDOR, "name": vendor_name or "x"},
            "cost_codes": [],
            "tax_codes": TAXES,
        },
    )
    doc = fold_change(None, change)
    assert doc is not None
    result = decide(doc, MAPPING, CHART, CreditorRegistry(client_id=MAPPING.client_id))
    assert isinstance(result, Planned | Parked | Ignored)
    if isinstance(result, Parked):
        assert result.reason and result.field and result.fix
    if isinstance(result, Planned) and result.lines:
        data = write_buchungsstapel(list(result.lines), MAPPING, created=datetime(2026, 11, 2))
        _header, rows = read_extf(data)  # raises if any text broke the CSV structure
        assert len(rows) == len(result.lines)
        assert all(len(r) == 125 for r in rows)
