"""The closed-period rule: nothing is booked into a closed month; moved lines stay recognisable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.booking import BookingLine, Ignored, Planned
from domain.periods import (
    ORIGINAL_DATE,
    book_in_open_periods,
    booking_period,
    next_open,
    next_period,
    original_date,
    parse_period,
)
from domain.periods.register import ClientPeriods, PeriodAlreadyInState
from domain.reversal import plan_rebooking

OCT = date(2026, 10, 15)


def line(amount: str, day: date = OCT, lid: str = "1:2:direct_cost:3/a") -> BookingLine:
    return BookingLine(
        line_id=lid,
        source_ref="1:2:direct_cost:3",
        amount=Decimal(amount),
        debit_credit="H",
        account=70001,
        contra_account=3100,
        bu_key="9",
        document_date=day,
        belegfeld1="RE-1",
        service_date=date(2026, 10, 10),
    )


def test_period_arithmetic() -> None:
    assert next_period("2026-12") == "2027-01"
    assert next_open("2026-10", {"2026-11", "2026-12"}) == "2027-01"
    assert booking_period(OCT, {"2026-10"}) == "2026-11"
    assert booking_period(OCT, set()) == "2026-10"
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("10/2026")


def test_open_period_leaves_the_decision_alone() -> None:
    result = Planned(lines=(line("119.00"),))
    assert book_in_open_periods([], result, set()) == (result, None)
    posted = [line("100.00")]
    assert book_in_open_periods(posted, result, {"2026-09"}) == (result, None)


def test_change_in_closed_period_rebooks_on_first_day_of_next_open() -> None:
    posted = [line("100.00")]
    result, reversal_date = book_in_open_periods(
        posted, Planned(lines=(line("119.00"),)), {"2026-10", "2026-11"}
    )
    assert reversal_date == date(2026, 12, 1)
    assert isinstance(result, Planned)
    (new,) = result.lines
    assert new.document_date == date(2026, 12, 1)
    assert new.service_date == date(2026, 10, 10)  # Leistungsdatum kept
    assert (ORIGINAL_DATE, "2026-10-15") in new.beleginfo
    assert original_date(new) == OCT
    pending = plan_rebooking(posted, list(result.lines), reversal_date=reversal_date)
    assert [p.document_date for p in pending] == [date(2026, 12, 1)] * 2
    assert pending[0].generalumkehr and pending[0].amount == Decimal("100.00")


def test_moved_lines_are_recognised_as_unchanged_later() -> None:
    closed = {"2026-10"}
    first, _ = book_in_open_periods([line("100.00")], Planned(lines=(line("119.00"),)), closed)
    assert isinstance(first, Planned)
    posted = list(first.lines)  # the moved line, once batched
    again, reversal_date = book_in_open_periods(posted, Planned(lines=(line("119.00"),)), closed)
    assert isinstance(again, Planned)
    assert list(again.lines) == posted and reversal_date is None
    assert plan_rebooking(posted, list(again.lines)) == []
    # ... also once November is closed too: still the same booking, nothing to rebook.
    later, _ = book_in_open_periods(posted, Planned(lines=(line("119.00"),)), {*closed, "2026-11"})
    assert isinstance(later, Planned) and list(later.lines) == posted


def test_late_approval_into_closed_period_books_in_next_open() -> None:
    result, reversal_date = book_in_open_periods([], Planned(lines=(line("50.00"),)), {"2026-10"})
    assert reversal_date is None
    assert isinstance(result, Planned) and result.lines[0].document_date == date(2026, 11, 1)


def test_delete_in_closed_period_reverses_in_next_open() -> None:
    assert book_in_open_periods([line("100.00")], None, {"2026-10"}) == (None, date(2026, 11, 1))
    assert book_in_open_periods([line("100.00")], None, set()) == (None, None)


def test_ignored_passes_through() -> None:
    ignored = Ignored(reason="status draft")
    assert book_in_open_periods([line("1.00")], ignored, {"2026-10"}) == (ignored, None)


def test_client_periods_aggregate() -> None:
    periods = ClientPeriods(client_id="29098-55003")
    periods.close("2026-10", position=42, by="test")
    assert periods.is_closed("2026-10") and periods.closed == {"2026-10": 42}
    assert periods.next_open("2026-09") == "2026-11"
    with pytest.raises(PeriodAlreadyInState):
        periods.close("2026-10", position=43, by="test")
    periods.reopen("2026-10", by="test", note="late invoice")
    assert not periods.is_closed("2026-10")
    with pytest.raises(PeriodAlreadyInState):
        periods.reopen("2026-10", by="test")
    names = [type(e).__name__ for e in periods.collect_events()]
    assert names == ["Opened", "Closed", "Reopened"]


def test_client_periods_stored_under_the_old_module_still_load() -> None:
    """Events written before the move name ``domain.client_periods``; they must still load."""
    from eventsourcing.application import Application
    from eventsourcing.persistence import StoredEvent

    app: Application[UUID] = Application()
    periods = ClientPeriods(client_id="29098-55003")
    periods.close("2026-10", position=42, by="test")
    new, old = "domain.periods.register", "domain.client_periods"
    stored = [app.mapper.to_stored_event(e) for e in periods.collect_events()]
    assert all(s.topic.startswith(new + ":") for s in stored)
    renamed = [
        StoredEvent(
            originator_id=s.originator_id,
            originator_version=s.originator_version,
            topic=s.topic.replace(new, old),
            state=s.state.replace(new.encode(), old.encode()),
        )
        for s in stored
    ]
    loaded: ClientPeriods | None = None
    for s in renamed:
        loaded = app.mapper.to_domain_event(s).mutate(loaded)  # type: ignore[attr-defined]
    assert isinstance(loaded, ClientPeriods)
    assert loaded.closed == {"2026-10": 42}
