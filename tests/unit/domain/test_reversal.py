"""Posted is posted: reversal and rebooking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.booking import BookingLine
from domain.reversal import plan_rebooking, storno_notes

D = Decimal


def line(amount: str, *, bu: str | None = "9", lid: str = "r/1", dc: str = "H") -> BookingLine:
    return BookingLine(
        line_id=lid,
        source_ref="r",
        amount=D(amount),
        debit_credit=dc,  # type: ignore[arg-type]
        account=70020,
        contra_account=3100,
        bu_key=bu,
        document_date=date(2026, 10, 28),
        belegfeld1="2026-7781",
        text="Gerüstbau Nord",
    )


def test_unchanged_gives_nothing() -> None:
    assert plan_rebooking([line("1190.00")], [line("1190.00", lid="other-id")]) == []


def test_changed_amount_reverses_then_rebooks() -> None:
    out = plan_rebooking([line("1190.00")], [line("1309.00")])
    storno, new = out
    assert (storno.amount, storno.debit_credit, storno.generalumkehr, storno.bu_key) == (
        D("1190.00"),
        "H",
        True,
        "9",
    )
    assert storno.text.startswith("Storno ") and storno.belegfeld1 == "2026-7781"
    assert storno.line_id == "r/1~storno"
    assert (new.amount, new.generalumkehr, new.line_id) == (D("1309.00"), False, "r/1@g2")
    again = plan_rebooking([new], [line("1428.00")])
    assert again[1].line_id == "r/1@g3" and again[0].line_id == "r/1@g2~storno"


def test_opposite_method_flips_and_keeps_key() -> None:
    (storno,) = plan_rebooking([line("1190.00", bu="94")], [], method="opposite")
    assert (storno.debit_credit, storno.generalumkehr, storno.bu_key) == ("S", False, "94")


def test_delete_reverses_everything_on_given_date() -> None:
    posted = [line("100.00"), line("50.00", lid="r/2", bu=None, dc="S")]
    out = plan_rebooking(posted, [], reversal_date=date(2026, 11, 30))
    assert [(o.amount, o.generalumkehr, o.document_date) for o in out] == [
        (D("100.00"), True, date(2026, 11, 30)),
        (D("50.00"), True, date(2026, 11, 30)),
    ]
    assert plan_rebooking([], []) == []


def test_first_booking_passes_through() -> None:
    new = [line("10.00")]
    assert plan_rebooking([], new) == new


def test_a_shortened_storno_text_keeps_the_invoice_number_and_is_noted() -> None:
    long = line("100.00").model_copy(
        update={"text": "Gerüstbau Nord Fassade Hauptgebäude Abschnitt B Los 4"}
    )
    (storno,) = plan_rebooking([long], [])
    assert len(storno.text) <= 60 and storno.text.startswith("Storno 2026-7781 Gerüstbau")
    (note,) = storno_notes([long])
    assert "2026-7781" in note and "shortened to 60" in note and storno.text in note
    assert storno_notes([line("100.00")]) == []  # short texts need no note


def test_the_record_audit_notes_a_shortened_storno_text() -> None:
    from domain.booking import Planned
    from domain.source_changes import apply_decision
    from domain.source_document import SourceDocument

    key = "4281379:20251:direct_cost:990011"
    long = line("100.00").model_copy(
        update={
            "source_ref": key,
            "text": "Gerüstbau Nord Fassade Hauptgebäude Abschnitt B Los 4",
        }
    )
    doc = SourceDocument(key=key, resource="direct_cost")
    apply_decision(doc, "29098-55003", Planned(lines=(long,)))
    doc.mark_batched(record_key=key, batch_id="b1", plan_no=doc.plan_no, line_ids=["r/1"])
    apply_decision(doc, "29098-55003", None)  # deleted in Procore after posting
    assert doc.notes[0] == "deleted in Procore"
    assert any("Storno text of 2026-7781 shortened" in n for n in doc.notes)
