"""Non-EUR Procore records: WKZ/Kurs/Basis-Umsatz when the rate is known, else parked."""

from __future__ import annotations

from decimal import Decimal

from domain.booking import Parked, Planned
from domain.chart import Chart
from domain.derivation import derive_direct_cost_lines
from domain.extf.buchungsstapel import booking_row
from domain.mapping import ClientMapping
from domain.procore.currency import apply_currency, currency_of
from tests.unit.domain.factories import GERUEST, ctx, dc_line, direct_cost

KEY = "42:20251:direct_cost:990011"


def usd(rate: object = None, base: str | None = "EUR") -> dict[str, object]:
    config: dict[str, object] = {"currency_iso_code": "USD"}
    if rate is not None:
        config["currency_exchange_rate"] = rate
    if base is not None:
        config["base_currency_iso_code"] = base
    return {"currency_configuration": config}


def planned(mapping: ClientMapping, chart: Chart) -> Planned:
    dc = direct_cost([dc_line(1, "1000.00")], grand_total="1190.00")
    result = derive_direct_cost_lines(
        dc, ctx("direct_cost", 990011, GERUEST, 70020), mapping, chart
    )
    assert isinstance(result, Planned)
    return result


def test_eur_and_records_without_currency_book_as_before(
    mapping: ClientMapping, chart: Chart
) -> None:
    result = planned(mapping, chart)
    for record in (
        {},
        {"currency_configuration": None},
        {"currency_configuration": {"currency_iso_code": "EUR"}},
    ):
        assert apply_currency(result, record, KEY, {}) == result
    assert booking_row(result.lines[0])[2:6] == ['"EUR"', "", "", '""']


def test_usd_with_the_records_rate_books_wkz_kurs_and_basis_umsatz(
    mapping: ClientMapping, chart: Chart
) -> None:
    result = apply_currency(planned(mapping, chart), usd(0.8), KEY, {})
    assert isinstance(result, Planned)
    line = result.lines[0]
    assert line.foreign is not None and line.foreign.currency == "USD"
    assert line.foreign.kurs == Decimal("1.250000")
    assert line.foreign.base_amount == (line.amount * Decimal("0.8")).quantize(Decimal("0.01"))
    row = booking_row(line)
    assert row[2:6] == [
        '"USD"',
        "1,250000",
        format(line.foreign.base_amount, "f").replace(".", ","),
        '"EUR"',
    ]
    assert any("USD" in note for note in result.notes)


def test_rate_as_a_string_or_from_the_configured_source(
    mapping: ClientMapping, chart: Chart
) -> None:
    assert currency_of(usd("0.8"), {}).eur_rate == Decimal("0.8")
    # A rate to another base currency is no EUR rate: the configured one is used instead.
    assert currency_of(usd(1.8, base="CAD"), {"USD": Decimal("0.9")}).eur_rate == Decimal("0.9")
    result = apply_currency(planned(mapping, chart), usd(), KEY, {"USD": Decimal("0.92")})
    assert isinstance(result, Planned) and result.lines[0].foreign is not None


def test_usd_without_any_rate_is_parked_never_booked_as_eur(
    mapping: ClientMapping, chart: Chart
) -> None:
    for record in (usd(), usd(0), usd("n/a"), usd(1.8, base="CAD")):
        result = apply_currency(planned(mapping, chart), record, KEY, {})
        assert isinstance(result, Parked)
        assert result.reason == f"currency USD on {KEY}: no exchange rate"
        assert result.field == "$.currency_configuration.currency_exchange_rate"
        assert "exchange_rates" in result.fix
