"""The close report's pure parts: causes, attribution of closed months, verdict."""

from __future__ import annotations

from decimal import Decimal

from domain.close_inputs import BatchFact, LineFact, RecordFact
from domain.close_report import (
    CloseReport,
    build_report,
    parked_cause,
    split_by_account,
)

D = Decimal


def report(period: str = "2026-11") -> CloseReport:
    return CloseReport(
        client_id="1-2",
        period=period,
        project=None,
        closed=False,
        closed_periods=["2026-10"],
        batches=[BatchFact("b1", "2026-11-20", "completed", 10, (), None, 1, D("50.00"))],
    )


def rec(ref: str, **kw: object) -> RecordFact:
    base: dict[str, object] = {
        "resource": "direct_cost", "kost1": "K1", "project": "P", "period": "2026-11",
        "net_now": D("100.00"), "tax_now": D("19.00"), "accounts": ((3100, D("100.00")),),
    }  # fmt: skip
    base.update(kw)
    return RecordFact(ref=ref, **base)  # type: ignore[arg-type]


def test_parked_reason_categories() -> None:
    assert parked_cause("total wrong (field grand_total; fix: x)") == "parked_tax"
    assert parked_cause("no account (field cost_accounts[cost_code='1']; fix: x)") == (
        "parked_unmapped"
    )
    assert parked_cause("no vendor (field vendor_id; fix: x)") == "parked_bad_data"


def test_split_by_account_sums_to_the_cent() -> None:
    parts = split_by_account(D("100.00"), ((1, D("1")), (2, D("1")), (3, D("1"))))
    assert sum(p for _, p in parts) == D("100.00")
    assert split_by_account(D("5.00"), ()) == [(None, D("5.00"))]


def test_reconciled_and_each_cause() -> None:
    lines = [LineFact("a", "K1", 3100, "2026-11", D("100.00"), "accepted", "b1")]
    ok = build_report(report(), [rec("a", has_posted=True)], lines)
    assert ok.reconciled and ok.verdict == "1-2 2026-11: reconciled to the cent"
    records = [
        rec("a", has_posted=True),
        rec("late", has_pending=True, plan_position=11),
        rec("parked", decision="parked", reason="x (field tax; fix: y)", accounts=()),
        rec("gone", net_now=D("0"), deleted=True, has_posted=True, has_pending=True),
    ]
    lines += [
        LineFact("late", "K1", 3100, "2026-11", D("100.00"), "pending"),
        LineFact("gone", "K1", 3100, "2026-11", D("40.00"), "accepted", "b1"),
        LineFact("gone", "K1", 3100, "2026-11", D("-40.00"), "pending"),
    ]
    r = build_report(report(), records, lines)
    causes = {d.ref: (d.cause, d.amount) for d in r.differences}
    assert causes == {
        "late": ("late_approval", D("100.00")),
        "parked": ("parked_tax", D("100.00")),
        "gone": ("deleted", D("-40.00")),
    }
    assert r.open_difference == D("160.00") and "160.00" in r.verdict
    assert r.total("parked") == D("100.00") and r.total("pending") == D("60.00")


def test_closed_month_is_frozen_and_the_change_counts_where_it_is_booked() -> None:
    changed = rec(
        "x", period="2026-10", net_now=D("130.00"), net_at_close=D("100.00"),
        tax_at_close=D("19.00"), carry_to="2026-11", has_posted=True, has_pending=True,
    )  # fmt: skip
    lines = [
        LineFact("x", "K1", 3100, "2026-10", D("100.00"), "accepted", "b1"),
        LineFact("x", "K1", 3100, "2026-11", D("-100.00"), "pending"),
        LineFact("x", "K1", 3100, "2026-11", D("130.00"), "pending"),
    ]
    october = build_report(report("2026-10"), [changed], lines)
    assert october.reconciled
    november = build_report(report("2026-11"), [changed], lines)
    (diff,) = november.differences
    assert (diff.cause, diff.amount, diff.carried_from) == (
        "changed_after_posting",
        D("30.00"),
        "2026-10",
    )
    assert [d.ref for d in november.carried] == ["x"]


def test_month_end_close_reports_cent_adjustments() -> None:
    note = "cent adjustment: +0.01 on the line to account 3100 (BU 9) so the document equals …"
    lines = [LineFact("a", "K1", 3100, "2026-11", D("100.00"), "accepted", "b1")]
    r = build_report(report(), [rec("a", has_posted=True, adjustments=(note,))], lines)
    assert r.adjustments == [("a", note)] and r.reconciled
    from streams.operator.close_formats import report_dict

    assert report_dict(r)["adjustments"] == [{"ref": "a", "note": note}]
    other = build_report(report("2026-12"), [rec("a", adjustments=(note,))], [])
    assert other.adjustments == []  # counted in the record's own month
