"""Status page and report templates: autoescaped, translated, German by default."""

from __future__ import annotations

from decimal import Decimal

from domain.close_report import CloseReport
from streams.operator.close_html import render_html
from streams.operator.i18n import language
from streams.operator.render import money
from streams.operator.status.model import RecordRow
from streams.operator.status.pages import View, page


def _row(key: str, reason: str | None) -> RecordRow:
    return RecordRow(key, "requisition", None, "parked", reason, None, None)


def test_values_are_escaped_and_none_renders_empty() -> None:
    html = page("parked", "Parked records", View("en"), rows=[_row("<script>x</script>", None)])
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "None" not in html


def test_the_language_switch_links_the_same_page() -> None:
    view = View("en", lambda code: f"/status/records?q=a&lang={code}")
    html = page("records", "Records", view, rows=[], query="a")
    assert 'href="/status/records?q=a&amp;lang=de"' in html
    assert '<html lang="en">' in html


def test_language_falls_back_to_the_default() -> None:
    assert language("EN") == "en" and language("fr") == "de" and language(None, "en") == "en"


def test_money_in_german_and_english() -> None:
    assert money(Decimal("-1234567.5"), "de") == "-1.234.567,50"
    assert money(Decimal("1234.5"), "en") == "1,234.50"


def test_an_empty_report_renders() -> None:
    report = CloseReport("1000-70001", "2026-11", None, False, [])
    html = render_html(report, "en")
    assert "reconciled to the cent" in html and "No amounts in this period." in html


def test_every_message_of_the_pages_has_a_german_text() -> None:
    import re
    from pathlib import Path

    from streams.operator.i18n_de import MESSAGES
    from streams.operator.mapping.suggest import CATEGORY_REASONS

    root = Path(__file__).resolve().parents[3] / "streams" / "operator"
    sources = [*root.glob("templates/**/*.html"), *root.glob("status/*.py")]
    sources += [*root.glob("mapping/*.py"), *root.glob("review/*.py")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    ids = set(re.findall(r'\bt\(\s*"([^"]*)"', text)) | set(re.findall(r"\bt\('([^']*)'", text))
    ids |= set(re.findall(r'Reason\(\s*"([^"]*)"', text)) | set(CATEGORY_REASONS.values())
    ids |= set(re.findall(r'reason = "([^"]*)"', text))
    ids |= set(re.findall(r'Warning\(\s*"([^"]*)"', text))
    assert sorted(i for i in ids if i and i not in MESSAGES) == []


def test_texts_with_values_are_translated_by_pattern() -> None:
    from streams.operator.i18n import translator

    de, en = translator("de"), translator("en")
    assert (
        de("every 15 minutes") == "alle 15 Minuten" and de("daily at 18:00") == "täglich um 18:00"
    )
    assert de("logged in, valid until 2027-01-31 (61 days)") == (
        "angemeldet, gültig bis 2027-01-31 (61 Tage)"
    )
    assert en("every 15 minutes") == "every 15 minutes" and de("unknown text") == "unknown text"
