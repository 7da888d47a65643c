"""Mapping editor pieces: text edits keep the file's comments; suggestions carry reasons."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from domain.chart import build_chart
from domain.mapping import ClientMapping
from streams.operator.mapping import edit
from streams.operator.mapping.inventory import PairRow
from streams.operator.mapping.suggest import category, suggest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = (ROOT / "deploy" / "mapping.sample.toml").read_text(encoding="utf-8")


def _mapping(text: str) -> ClientMapping:
    return ClientMapping.model_validate(tomllib.loads(text))


def test_an_existing_rule_changes_in_place_and_comments_stay() -> None:
    text = edit.set_cost_account(SAMPLE, "03-300", "M", 3200)
    assert _mapping(text).cost_account("03-300", "M") == 3200
    assert text.count("[[cost_accounts]]") == SAMPLE.count("[[cost_accounts]]")
    assert "# Fallback per cost type when no rule above matches." in text


def test_a_new_rule_is_appended() -> None:
    text = edit.set_cost_account(SAMPLE, "05-100", "L", 3100)
    assert text.startswith(SAMPLE.rstrip("\n"))
    assert _mapping(text).cost_account("05-100", "L") == 3100


def test_table_keys_are_set_added_and_removed() -> None:
    text = edit.set_tax_code(SAMPLE, "NEU", "vst7")
    assert _mapping(text).tax_codes["NEU"] == "vst7"
    text = edit.set_tax_code(text, "DE19", "vst7")
    assert _mapping(text).tax_codes["DE19"] == "vst7"
    text = edit.set_vendor(text, 556677, False, "none", None)
    facts = _mapping(text).vendor(556677)
    assert not facts.reverse_charge and facts.exemption == "none"
    assert facts.exemption_valid_until is None and facts.creditor == 70010
    text = edit.set_vendor(text, 42, True, "certificate", "2027-01-31")
    assert _mapping(text).vendor(42).exemption_valid_until.isoformat() == "2027-01-31"
    text = edit.set_project(text, 20251, "KITA 1")
    assert _mapping(text).projects[20251].kost1 == "KITA 1"
    assert edit.toml_string('a "b" \\') == '"a \\"b\\" \\\\"'


def _pair(code: str, ctype: str, name: str | None = None, **kw: object) -> PairRow:
    row = PairRow(code, ctype, name, kw.get("type_name"), kw.get("base_type"), None)  # type: ignore[arg-type]
    row.vendors.update(kw.get("vendors", set()))  # type: ignore[arg-type]
    return row


def test_suggestions_follow_cost_type_chart_and_history() -> None:
    mapping = _mapping(SAMPLE)
    chart = build_chart("03", 4, mapping.extra_accounts)
    labour = suggest(
        _pair("05-100", "L", "Mauerarbeiten", type_name="Labor"), mapping, chart, {}, {}
    )
    assert labour[0].account == 3100 and labour[0].name == "Fremdleistungen"
    texts = [r.text for r in labour[0].reasons]
    assert "cost type {type} is bought-in labour: {name} in {skr}" in texts
    material = suggest(_pair("05-200", "M", "Baustoffe"), mapping, chart, {}, {})
    assert material[0].account == 3200  # Wareneingang (the shipped SKR03 list has no 'Material')
    booked = {7: {3200: Decimal("100.00"), 70001: Decimal("-100.00")}}
    by_vendor = suggest(_pair("05-300", "X", vendors={7}), mapping, chart, booked, {7: "Bau AG"})
    assert by_vendor[0].account == 3200
    assert by_vendor[0].reasons[0].values == {"vendor": "Bau AG", "account": 3200}
    assert (
        category("S", None, None) == "subcontract"
        and category("Q", "Equipment", None) == "equipment"
    )


def test_a_rule_can_name_the_tax_rule_its_lines_carry() -> None:
    text = edit.set_cost_account(SAMPLE, "05-100", "M", 3400, ["vst19"])
    rule = next(r for r in _mapping(text).cost_accounts if r.cost_code == "05-100")
    assert rule.account == 3400 and rule.tax_rules == ["vst19"]
    text = edit.set_cost_account(text, "05-100", "M", 3200)  # in place; restriction dropped
    rule = next(r for r in _mapping(text).cost_accounts if r.cost_code == "05-100")
    assert rule.account == 3200 and rule.tax_rules is None
    assert text.count("[[cost_accounts]]") == SAMPLE.count("[[cost_accounts]]") + 1


def test_tax_codes_get_a_rule_suggested_from_name_and_rate() -> None:
    from streams.operator.mapping.suggest import suggest_tax_rule

    rc = suggest_tax_rule("13b", "Steuerschuldnerschaft des Leistungsempfängers", Decimal(0))
    assert rc is not None and rc[0] == "rc13b_19"
    vst = suggest_tax_rule("VSt7", "Vorsteuer 7 %", Decimal(7))
    assert vst is not None and vst[0] == "vst7" and vst[1].values == {"rate": Decimal(7)}
    assert suggest_tax_rule("X", None, Decimal(0)) is None
