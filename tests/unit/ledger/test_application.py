"""The ledger's named commands in memory (eventsourcing's POPO recorder): milliseconds each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.batch import Batch
from domain.changes import ProcoreChange, RecordRef
from domain.mapping import ClientMapping
from domain.periods.register import PeriodAlreadyInState
from streams.agents.booking import SealScheduler
from streams.ledger.application import Ledger
from streams.ledger.read_models import counts, known_ids, records, view
from streams.ledger.rules import BookingRules, ClientRules
from tests.unit.domain.factories import (
    COMPANY,
    GERUEST,
    PROJECT,
    TAX_CODES,
    dc_line,
    direct_cost,
    make_chart,
    make_mapping,
    mapping_data,
)

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
TOPIC = "procore.records"


def rules() -> ClientRules:
    mapping = make_mapping()
    return ClientRules(mapping=mapping, chart=make_chart(mapping), source="memory")


def ledger(with_rules: bool = True) -> Ledger:
    booking = BookingRules([rules()]) if with_rules else None
    return Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, rules=booking)


def change(rid: int, amount: str, project: int = PROJECT, **over: Any) -> ProcoreChange:
    record = direct_cost([dc_line(1, amount)], id=rid, **over).model_dump(mode="json")
    return ProcoreChange(
        ref=RecordRef(
            company_id=COMPANY, project_id=project, resource="direct_cost", resource_id=rid
        ),
        action="update",
        source="poller",
        observed_at=datetime(2026, 11, 2, tzinfo=UTC),
        record=record,
        context={
            "vendor": GERUEST.model_dump(mode="json"),
            "tax_codes": [t.model_dump(mode="json") for t in TAX_CODES.values()],
        },
    )


def test_fold_books_once_and_skips_redelivered_offsets() -> None:
    app = ledger()
    first = app.fold(TOPIC, 0, [(0, change(1, "100.00")), (1, change(2, "50.00"))])
    assert (first.folded, first.skipped) == (2, 0)
    docs = [app.document(change(i, "0").ref.aggregate_id) for i in (1, 2)]
    assert [d.decision for d in docs if d] == ["planned", "planned"]
    again = app.fold(TOPIC, 0, [(0, change(1, "100.00")), (1, change(2, "50.00"))])
    assert (again.folded, again.skipped, again.new_events) == (0, 2, 0)
    assert app.position(f"{TOPIC}:0") == 2
    app.invalidate_positions()
    assert app.position(f"{TOPIC}:0") == 2  # read back from the tracking table


def test_unrouted_record_is_ignored_with_the_reason() -> None:
    app = ledger()
    app.fold(TOPIC, 0, [(0, change(3, "10.00", project=999))])
    doc = app.document(change(3, "0", project=999).ref.aggregate_id)
    assert doc is not None and doc.decision == "ignored"
    assert "project 999" in (doc.reason or "")


def test_without_rules_records_are_stored_not_booked() -> None:
    app = ledger(with_rules=False)
    app.fold(TOPIC, 0, [(0, change(1, "10.00"))])
    doc = app.document(change(1, "0").ref.aggregate_id)
    assert doc is not None and doc.decision != "planned"


def test_seal_batches_pending_lines_once_with_creditor_rows() -> None:
    app = ledger()
    app.fold(TOPIC, 0, [(0, change(1, "100.00")), (1, change(2, "50.00"))])
    sealed = app.seal(rules(), NOW)
    assert (len(sealed.batch_ids), sealed.records) == (1, 2)
    batch = app.load(Batch, sealed.batch_ids[0])
    assert len(batch.creditors) == 1  # one vendor, exported once
    assert app.seal(rules(), NOW).batch_ids == ()
    registry = app.registry(rules().client_id)
    assert GERUEST.id in registry.exported


def test_replay_and_resubmit_are_commands() -> None:
    app = ledger()
    app.fold(TOPIC, 0, [(0, change(1, "100.00"))])
    doc_id = change(1, "0").ref.aggregate_id
    app.replay_record(doc_id, by="operator")
    assert "ReplayRequested" in [type(e).__name__ for e in app.history(doc_id)]
    batch_id = app.seal(rules(), NOW).batch_ids[0]
    batch = app.load(Batch, batch_id)
    app.record_job(batch, "failed", kind="bookings", job_id="j1", reason="rejected", messages=[])
    assert app.resubmit_batch(batch_id, by="operator").state == "sealed"


def test_closed_period_moves_new_lines_and_cannot_close_twice() -> None:
    app = ledger()
    client = rules().client_id
    app.close_period(client, "2026-10", by="operator")
    with pytest.raises(PeriodAlreadyInState):
        app.close_period(client, "2026-10", by="operator")
    app.fold(TOPIC, 0, [(0, change(1, "100.00"))])
    doc = app.document(change(1, "0").ref.aggregate_id)
    assert doc is not None and {line.document_date.month for line in doc.pending_lines} == {11}
    app.reopen_period(client, "2026-10", by="operator")
    assert app.periods(client).closed == {}


def test_record_upload_and_its_failure() -> None:
    app = ledger()
    app.fold(TOPIC, 0, [(0, change(1, "100.00")), (1, change(2, "50.00"))])
    one, two = (change(i, "0").ref.aggregate_id for i in (1, 2))
    assert app.record_upload(one, "g1", filename="a.pdf").document_state == "uploaded"
    failed = app.record_upload(two, "g2", failure="DUO said no", retryable=False)
    assert (failed.document_state, failed.document_guid) == ("failed", "g2")


def test_cursor_is_a_ledger_fact() -> None:
    app = ledger()
    assert app.cursor_get("poller") is None
    app.advance_cursor("poller", NOW)
    assert app.cursor_get("poller") == NOW


def test_daily_cadence_remembers_its_last_seal_across_a_restart() -> None:
    mapping = ClientMapping.model_validate(
        {**mapping_data(), "schedule": {"cadence": "daily 18:00"}}
    )
    daily = BookingRules([ClientRules(mapping=mapping, chart=make_chart(mapping), source="memory")])
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, rules=daily)
    at = datetime(2026, 11, 25, 18, 5, tzinfo=UTC)
    app.fold(TOPIC, 0, [(0, change(1, "100.00"))])
    assert SealScheduler(app, daily, now=lambda: at).run_once()  # due: sealed
    app.fold(TOPIC, 0, [(1, change(2, "50.00"))])
    later = at + timedelta(minutes=25)
    assert SealScheduler(app, daily, now=lambda: later).run_once() == {}  # restarted: not due
    tomorrow = at + timedelta(days=1)
    assert SealScheduler(app, daily, now=lambda: tomorrow).run_once()


def test_read_models_follow_the_log_incrementally() -> None:
    app = ledger()
    app.fold(TOPIC, 0, [(0, change(1, "100.00")), (1, change(2, "50.00", project=999))])
    first = counts(app)
    assert first.records == {("direct_cost", "planned"): 1, ("direct_cost", "ignored"): 1}
    seen = view(app).position
    assert seen == app.recorder.max_notification_id()
    app.seal(rules(), NOW)
    after = counts(app)  # only the seal's events are read
    assert after.records[("direct_cost", "batched")] == 1 and after.batches["sealed"] == 1
    assert view(app).position > seen
    assert [r.key for r in records(app, "ignored")] == [change(2, "0", project=999).key]
    assert known_ids(app, COMPANY, PROJECT, "direct_cost") == {1}
