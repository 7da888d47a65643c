"""Belegfeld 1: unique per creditor and fiscal year, deterministic, never cut silently."""

from __future__ import annotations

from datetime import date

from domain.belegfeld import BelegfeldRegistry, assign_belegfeld, new_registry, registry_id
from domain.booking import Planned
from domain.chart import Chart
from domain.derivation import derive_requisition_lines
from domain.mapping import ClientMapping
from domain.text import BELEGFELD_MAX
from tests.unit.domain.factories import MUELLER, ctx, make_chart, mapping_data, planned, requisition

REQ_A, REQ_B = 4401223, 4401224


def derive(mapping: ClientMapping, chart: Chart, rid: int, number: str, **over: object) -> Planned:
    req = requisition(id=rid, invoice_number=number, **over)
    return planned(
        derive_requisition_lines(req, ctx("requisition", rid, MUELLER, 70010), mapping, chart)
    )


def book(registry: BelegfeldRegistry, result: Planned) -> Planned:
    return assign_belegfeld(result, result.lines[0].source_ref, registry)


def test_a_1_and_a_underscore_1_on_one_creditor_get_two_values(
    mapping: ClientMapping, chart: Chart
) -> None:
    first = derive(mapping, chart, REQ_A, "A-1")
    second = derive(mapping, chart, REQ_B, "A_1")
    assert first.belegfeld and second.belegfeld
    assert first.belegfeld.value == second.belegfeld.value == "A-1"  # the collision
    assert first.belegfeld.fiscal_year_start == second.belegfeld.fiscal_year_start
    registry = new_registry("29098-55003", first.belegfeld)
    a, b = book(registry, first), book(registry, second)
    assert {ln.belegfeld1 for ln in a.lines} == {"A-1"}
    (value,) = {ln.belegfeld1 for ln in b.lines}
    assert value != "A-1" and value.startswith("A-1-") and len(value) == 10
    assert ("Rechnungsnummer", "A_1") in b.lines[0].beleginfo
    assert any("'A-1' is already used by invoice 'A-1'" in n and "'A_1'" in n for n in b.notes)
    # exactly once: re-deriving both books the same values and issues nothing new
    issued = [type(e).__name__ for e in registry.collect_events()]
    assert issued == ["Opened", "Issued", "Issued"]
    assert book(registry, derive(mapping, chart, REQ_B, "A_1")).lines[0].belegfeld1 == value
    assert book(registry, derive(mapping, chart, REQ_A, "A-1")).lines[0].belegfeld1 == "A-1"
    assert registry.collect_events() == []
    # deterministic: a second install issuing in the same order gets the same values
    other = new_registry("29098-55003", first.belegfeld)
    book(other, derive(mapping, chart, REQ_A, "A-1"))
    assert book(other, derive(mapping, chart, REQ_B, "A_1")).lines[0].belegfeld1 == value


def test_scope_is_creditor_and_fiscal_year(mapping: ClientMapping, chart: Chart) -> None:
    oct_ = derive(mapping, chart, REQ_A, "A-1")
    next_year = derive(mapping, chart, REQ_B, "A-1", billing_date="2027-01-15")
    assert oct_.belegfeld and next_year.belegfeld
    assert oct_.belegfeld.fiscal_year_start == date(2026, 1, 1)
    assert next_year.belegfeld.fiscal_year_start == date(2027, 1, 1)
    a = registry_id("29098-55003", 70010, date(2026, 1, 1))
    assert a != registry_id("29098-55003", 70010, date(2027, 1, 1))
    assert a != registry_id("29098-55003", 70020, date(2026, 1, 1))


def test_fiscal_year_from_1_july(chart: Chart) -> None:
    """28 June and 3 July lie in two fiscal years when the year starts on 1 July."""
    data = mapping_data()
    data["client"]["fiscal_year_start"] = "07-01"
    m = ClientMapping.model_validate(data)
    ch = make_chart(m)
    june = derive(m, ch, REQ_A, "A-1", billing_date="2026-06-28")
    july = derive(m, ch, REQ_B, "A-1", billing_date="2026-07-03")
    assert june.belegfeld and july.belegfeld
    assert june.belegfeld.fiscal_year_start == date(2025, 7, 1)
    assert july.belegfeld.fiscal_year_start == date(2026, 7, 1)
    # two scopes: both keep A-1
    assert book(new_registry("c", june.belegfeld), june).lines[0].belegfeld1 == "A-1"
    assert book(new_registry("c", july.belegfeld), july).lines[0].belegfeld1 == "A-1"


def test_41_character_invoice_number_is_not_cut_silently(
    mapping: ClientMapping, chart: Chart
) -> None:
    raw_a = "RE-2026-BAUSTELLE-AUGSBURG-KITA-000142-A"  # 40 characters
    raw_b = raw_a[:-1] + "BB"  # 41 characters, same first 36
    assert len(raw_b) == 41 and raw_a[:36] == raw_b[:36]
    a = derive(mapping, chart, REQ_A, raw_a)
    b = derive(mapping, chart, REQ_B, raw_b)
    va, vb = a.lines[0].belegfeld1, b.lines[0].belegfeld1
    assert len(va) == len(vb) == BELEGFELD_MAX
    assert va != vb and va.startswith(raw_a[:29] + "-") and vb.startswith(raw_b[:29] + "-")
    assert ("Rechnungsnummer", raw_b) in b.lines[0].beleginfo
    assert any("41 characters" in n and "Rechnungsnummer" in n for n in b.notes)
