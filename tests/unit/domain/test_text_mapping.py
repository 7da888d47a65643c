"""Text rules, mapping lookups, mapping check, creditor allocation."""

from __future__ import annotations

import unicodedata

import pytest

from domain.chart import Chart, build_chart, creditor_range
from domain.creditors import CreditorRangeExhausted, allocate_creditor
from domain.mapping import ClientMapping
from domain.mapping_check import check_mapping
from domain.text import belegfeld_unique, clean_text, sanitize_belegfeld, truncate
from tests.unit.domain.factories import make_chart, make_mapping, mapping_data


def test_nfd_umlauts_become_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Gerüstbau Müller – Straße")
    assert nfd != "Gerüstbau Müller – Straße"
    assert clean_text(nfd) == "Gerüstbau Müller – Straße"
    assert clean_text("a\r\nb;\tc") == "a b; c"


def test_truncate_at_grapheme_boundary() -> None:
    text = "x" * 59 + "e\u0301" + "tail"  # e + combining acute at the 60th position
    cut, shortened = truncate(unicodedata.normalize("NFD", text), 60)
    assert shortened and len(cut) <= 60
    assert cut == "x" * 59 + "é"  # NFC first: é is one character
    assert truncate("kurz", 60) == ("kurz", False)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("RE-2026-0042", "RE-2026-0042"),
        ("RE 2026_0042", "RE-2026-0042"),
        ("Nr. 4711/Ä", "Nr-4711/AE"),
        ("#12.3,4;5:6", "12-3-4-5-6"),
        ("Größe€", "Groesse"),
        ("A" * 50, "A" * 36),
        ("$&%*+-/", "$&%*+-/"),
    ],
)
def test_sanitize_belegfeld(raw: str, want: str) -> None:
    assert sanitize_belegfeld(raw) == want


def test_belegfeld_unique_is_deterministic() -> None:
    assert belegfeld_unique("R-1", set()) == "R-1"
    a = belegfeld_unique("R_1", {"R-1"})
    assert a != "R-1" and a == belegfeld_unique("R_1", {"R-1"}) and len(a) <= 36
    assert belegfeld_unique("R 1", {"R-1"}) != a  # different raw numbers get different suffixes
    assert belegfeld_unique("§§§", set())  # nothing left → hash only


def test_cost_account_specificity(mapping: ClientMapping) -> None:
    assert mapping.cost_account("03-300", "M") == 3400  # exact code beats type default
    assert mapping.cost_account("03-999", "S") == 3100  # pattern
    assert mapping.cost_account("99-000", "M") == 3200  # cost type default
    assert mapping.cost_account("99-000", "S") is None


def test_creditor_range_by_length() -> None:
    assert creditor_range(4) == (70000, 99999)
    assert creditor_range(5) == (700000, 999999)
    assert build_chart("03", 5).account(31000) is not None  # 3100 at length 5


def test_allocator_never_reuses(mapping: ClientMapping) -> None:
    m = mapping.model_copy(
        update={"creditors": mapping.creditors.model_copy(update={"start": 70010})}
    )
    assert allocate_creditor(556677, m, {}) == 70010  # pinned
    assert allocate_creditor(1, m, {2: 70011}) == 70012  # 70010 pinned, 70011 assigned
    assert allocate_creditor(2, m, {2: 70011}) == 70011  # stable
    assert allocate_creditor(3, m, {2: 70011}, retired={70012, 70013}) == 70014
    tail = m.model_copy(update={"creditors": m.creditors.model_copy(update={"start": 99999})})
    with pytest.raises(CreditorRangeExhausted):
        allocate_creditor(9, tail, {1: 99999})


def test_valid_mapping_has_no_problems(mapping: ClientMapping, chart: Chart) -> None:
    assert check_mapping(mapping, chart) == []


def test_invalid_mapping_reports_every_problem(chart: Chart) -> None:
    data = mapping_data(retention_lines=True, retention_account=None, withholding_account=3100)
    data["cost_accounts"].append({"cost_code": "03-*", "cost_type": "S", "account": 3999})
    data["cost_accounts"].append({"cost_code": "09-1", "cost_type": "S", "account": 1576})
    data["cost_type_defaults"]["X"] = 8400
    data["tax_keys"] = {"rc13b_19": "9", "vst7": "777"}
    data["projects"]["20251"]["kost1"] = "x" * 37
    data["projects"]["1"] = {"kost1": "A"}
    data["vendors"]["556699"]["creditor"] = 1234
    data["vendors"]["556700"]["creditor"] = 70010
    data["vendors"]["1"] = {"exemption": "certificate"}
    data["creditors"] = {"start": 50}
    problems = check_mapping(ClientMapping.model_validate(data), chart)
    keys = [p.key for p in problems]
    expected = [
        "cost_accounts[4].account",  # 3999 undeclared
        "cost_accounts[4]",  # duplicate rule
        "cost_accounts[5].account",  # tax account
        "cost_type_defaults.X",
        "tax_keys.rc13b_19",
        "tax_keys.vst7",
        "projects.20251.kost1",
        "projects.1",
        "vendors.556699.creditor",
        "vendors.556700.creditor",
        "vendors.1.exemption_valid_until",
        "creditors.start",
        "booking.retention_account",
        "booking.withholding_account",
    ]
    for key in expected:
        assert key in keys, (key, keys)
    assert all(p.fix for p in problems)


def test_mapping_check_reports_automatic_account_conflicts_before_the_worker_runs() -> None:
    """03-300/M → 3400 (VSt 19 % automatic) with VSt 7 and § 13b codes in use."""
    data = mapping_data()
    data["cost_accounts"][1] = {"cost_code": "03-300", "cost_type": "M", "account": 3400}
    data["tax_codes"]["RC13B"] = "rc13b_19"
    m = ClientMapping.model_validate(data)
    found = [p for p in check_mapping(m, make_chart(m)) if p.key == "cost_accounts[1].account"]
    rules = sorted(p.message.split("tax rule ")[1].split(":")[0] for p in found)
    assert rules == ["rc13b_19", "tax_free", "vst7"]
    assert all("tax_rules" in p.fix for p in found)


def test_mapping_check_flags_13b_on_non_construction_cost_types() -> None:
    data = mapping_data(requisition_tax_rule="rc13b_19")
    m = ClientMapping.model_validate(data)
    keys = [p.key for p in check_mapping(m, make_chart(m))]
    assert "booking.requisition_tax_rule" in keys  # § 13b everywhere, no construction types
    data["construction_cost_types"] = ["S"]
    data["cost_accounts"].append({"cost_code": "06-*", "cost_type": "M", "account": 3120})
    m = ClientMapping.model_validate(data)
    problems = check_mapping(m, make_chart(m))
    assert "booking.requisition_tax_rule" not in [p.key for p in problems]
    (flag,) = [p for p in problems if "not a construction service" in p.message]
    assert flag.key == "cost_accounts[4].account" and "3120" in flag.message


def test_mapping_client_id_and_fiscal_year() -> None:
    from datetime import date

    data = mapping_data()
    data["client"]["fiscal_year_start"] = "07-01"
    m = ClientMapping.model_validate(data)
    assert m.client_id == "29098-55003"
    assert m.fiscal_year_start(date(2026, 6, 30)) == date(2025, 7, 1)
    assert m.fiscal_year_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert make_mapping().tax_keys["rc13b_19"] == "94"
