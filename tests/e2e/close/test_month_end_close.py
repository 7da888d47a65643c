"""Month-end close end to end: Procore emulator data folded into the ledger, sealed, submitted to
the DATEV emulator over HTTP; every kind of difference injected and then resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from domain.reconciliation import datev_net_by_kost, procore_net
from emulators.procore import mutations
from streams.config.settings import Settings
from streams.operator.actions import batch_rows, replay_batch
from streams.operator.close import reconciliation_report
from streams.operator.close_formats import to_csv, to_json
from streams.operator.close_html import render_html
from streams.operator.period_close import close_period
from tests.support.delivery import DeliveryStack, delivery_stack
from tests.support.snapshots import all_snapshots

OCT, NOV = "2026-10", "2026-11"


class Close(DeliveryStack):
    def net(self, resource: str, rid: int) -> Decimal:
        return procore_net(resource, self.state.rows[resource][rid].data)

    def report(self, period: str) -> Any:
        return reconciliation_report(self.ledger, self.rules, period)


@pytest.fixture
async def close(tmp_path: Path, sqlite_settings: Callable[..., Settings]) -> AsyncIterator[Close]:
    async with delivery_stack(tmp_path, sqlite_settings(), Close) as built:
        yield built


def _ids(state: Any, resource: str, status: str, month: str) -> list[int]:
    out = []
    for rid, row in state.rows[resource].items():
        day = row.data.get("direct_cost_date") or row.data.get("billing_date") or ""
        if row.data.get("status") == status and str(day).startswith(month):
            out.append(rid)
    return sorted(out)


def _new_direct_cost(c: Close, day: str, **fields: Any) -> int:
    project = c.state.project_ids()[0]
    data = mutations.create_record(
        c.state,
        "direct_cost",
        project_id=project,
        fields={"status": "approved", "direct_cost_date": day, **fields},
    )
    return int(data["id"])


def _causes(report: Any) -> dict[str, tuple[str, Decimal, str | None]]:
    return {d.ref: (d.cause, d.amount, d.carried_from) for d in report.differences}


def _key(c: Close, resource: str, rid: int) -> str:
    row = c.state.rows[resource].get(rid)
    company = next(iter(c.state.companies))
    project = row.project_id if row else c.state.project_ids()[0]
    return f"{company}:{project}:{resource}:{rid}"


async def test_every_difference_is_explained_then_reconciled_to_the_cent(
    close: Close, tmp_path: Path
) -> None:
    c = close
    # -- a normal month: October's approved records and two November direct costs, delivered.
    nov_edit = _new_direct_cost(c, "2026-11-05")
    nov_delete = _new_direct_cost(c, "2026-11-06")
    c.fold(*all_snapshots(c.state))
    await c.deliver()
    assert all(b.state == "completed" for b in batch_rows(c.ledger))
    for period in (OCT, NOV):
        assert c.report(period).verdict.endswith("reconciled to the cent"), period
    close_period(c.ledger, c.rules, OCT, by="test")

    # -- a failed DATEV job for a November record
    reqs = _ids(c.state, "requisition", "under_review", NOV) or _ids(
        c.state, "requisition", "draft", NOV
    )
    failing = _new_direct_cost(c, "2026-11-10")
    c.fold_record("direct_cost", failing)
    c.datev.faults.fail_jobs = True
    await c.deliver()
    assert len(batch_rows(c.ledger, "failed")) == 1
    c.datev.faults.fail_jobs = False

    # -- then: late approval, edit after posting, delete, parked, change in closed October
    assert reqs, "the emulator data has no unapproved November requisition"
    late = reqs[0]
    mutations.approve_requisition(c.state, late)
    c.fold_record("requisition", late)
    old_edit = c.net("direct_cost", nov_edit)
    mutations.edit_direct_cost(c.state, nov_edit, amount=old_edit + Decimal("100.01"))
    c.fold_record("direct_cost", nov_edit)
    old_deleted = c.net("direct_cost", nov_delete)
    deleted_key = _key(c, "direct_cost", nov_delete)
    c.delete("direct_cost", nov_delete)
    parked = _new_direct_cost(c, "2026-11-12", grand_total="1.00")  # total disagrees: tax check
    c.fold_record("direct_cost", parked)
    october = _ids(c.state, "direct_cost", "approved", OCT)[0]
    old_oct = c.net("direct_cost", october)
    mutations.edit_direct_cost(c.state, october, amount=Decimal("777.77"))
    c.fold_record("direct_cost", october)

    nov = c.report(NOV)
    causes = _causes(nov)
    assert causes[_key(c, "direct_cost", failing)] == (
        "failed_job",
        c.net("direct_cost", failing),
        None,
    )
    assert causes[_key(c, "requisition", late)] == (
        "late_approval",
        c.net("requisition", late),
        None,
    )
    assert causes[_key(c, "direct_cost", nov_edit)] == (
        "changed_after_posting",
        c.net("direct_cost", nov_edit) - old_edit,
        None,
    )
    assert causes[deleted_key] == ("deleted", -old_deleted, None)
    assert causes[_key(c, "direct_cost", parked)] == (
        "parked_tax",
        c.net("direct_cost", parked),
        None,
    )
    carried = _key(c, "direct_cost", october)
    delta = c.net("direct_cost", october) - old_oct
    assert causes[carried] == ("changed_after_posting", delta, OCT)
    assert len(causes) == 6
    assert nov.open_difference == sum((d.amount for d in nov.differences), Decimal(0))
    assert "open difference" in nov.verdict and f"{nov.open_difference:,.2f}" in nov.verdict
    # The closed month keeps its state at close: still reconciled, the change is in November.
    assert c.report(OCT).verdict.endswith("reconciled to the cent")
    _assert_rebooking_dated_in_november(c, carried)

    # Stable outputs carry the same numbers.
    data = orjson.loads(to_json(nov))
    assert data["schema"] == "ml-connector.reconciliation/1"
    assert {d["ref"]: d["cause"] for d in data["differences"]}[carried] == "changed_after_posting"
    assert f"difference,{nov.client_id},{NOV}" in to_csv(nov).replace("\r\n", "\n")
    html = render_html(nov)
    assert "<svg" in html and "ml-connector audit " + carried in html
    (tmp_path / "report-open.html").write_text(html, encoding="utf-8")

    # -- resolve: replay the failed batch, fix the parked record, deliver the next batch.
    failed = batch_rows(c.ledger, "failed")[0]
    replay_batch(c.ledger, str(failed.batch_id), by="test")
    mutations.update_record(
        c.state, "direct_cost", parked, {"grand_total": f"{c.net('direct_cost', parked):.2f}"}
    )
    c.fold_record("direct_cost", parked)
    await c.deliver()
    await c.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(c.ledger))
    for period in (OCT, NOV):
        report = c.report(period)
        assert report.verdict.endswith("reconciled to the cent"), (period, _causes(report))
    assert [d.ref for d in c.report(NOV).carried] == [carried]
    # The read model's DATEV side agrees with what the DATEV emulator actually booked.
    accepted: dict[str, Decimal] = {}
    for period in (OCT, NOV):
        for row in c.report(period).rows:
            accepted[row.kost1] = accepted.get(row.kost1, Decimal(0)) + row.accepted
    booked = datev_net_by_kost(
        c.datev.state.bookings(c.rules.client_id), c.rules.mapping, c.rules.chart
    )
    assert {k: v for k, v in accepted.items() if v} == {k: v for k, v in booked.items() if v}


def _assert_rebooking_dated_in_november(c: Close, ref: str) -> None:
    from domain.source_document import SourceDocument

    doc = c.ledger.document(SourceDocument.create_id(ref))
    assert doc is not None and doc.pending
    dates = {line.document_date for line in doc.pending_lines}
    assert dates == {date(2026, 11, 1)}
    assert any(line.generalumkehr for line in doc.pending_lines)
