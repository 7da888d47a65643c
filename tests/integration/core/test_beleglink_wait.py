"""A record whose invoice PDF is not in DUO yet waits at seal and is sealed by a later seal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from domain.batch import Batch
from domain.changes import ProcoreChange, RecordRef
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.ledger.rules import BookingRules, ClientRules
from streams.ledger.store import LINES_PLANNED, batcher_name
from tests.unit.domain.factories import (
    COMPANY,
    GERUEST,
    PROJECT,
    TAX_CODES,
    dc_line,
    direct_cost,
    make_chart,
    make_mapping,
)

TOPIC = "procore.records"
NOW = datetime.now(UTC)


def rules() -> ClientRules:
    mapping = make_mapping()
    return ClientRules(mapping=mapping, chart=make_chart(mapping), source="test")


def change(rid: int, pdf: bool) -> ProcoreChange:
    over: dict[str, Any] = {"id": rid, "invoice_number": f"RE-{rid}"}
    if pdf:
        url = f"https://files.example/{rid}.pdf"
        over["attachments"] = [{"id": rid, "url": url, "filename": f"RE-{rid}.pdf"}]
    record = direct_cost([dc_line(1, "100.00")], **over).model_dump(mode="json")
    return ProcoreChange(
        ref=RecordRef(
            company_id=COMPANY, project_id=PROJECT, resource="direct_cost", resource_id=rid
        ),
        action="update",
        source="poller",
        observed_at=NOW,
        record=record,
        context={
            "vendor": GERUEST.model_dump(mode="json"),
            "tax_codes": [t.model_dump(mode="json") for t in TAX_CODES.values()],
        },
    )


def links(ledger: Any, batch_ids: tuple[Any, ...]) -> dict[str, str | None]:
    found = {}
    for batch_id in batch_ids:
        for line in ledger.load(Batch, batch_id).lines:
            found[line["source_ref"]] = line.get("beleglink")
    return found


def test_a_waiting_record_is_not_skipped_by_later_seals(
    make_settings: Callable[..., Settings],
) -> None:
    route = rules()
    ledger = build_ledger(make_settings(), BookingRules([route]))
    waiting, plain, later = change(1, pdf=True), change(2, pdf=False), change(3, pdf=False)
    ledger.fold(TOPIC, 0, [(0, waiting), (1, plain)])
    client = route.client_id
    first = ledger.seal(route, NOW, documents=True)
    assert (first.records, first.waiting) == (1, 1)  # the line without a link does not wait
    assert set(links(ledger, first.batch_ids).values()) == {None}
    held = ledger.tracked(batcher_name(client))
    planned = [
        n.id for n in ledger.scan([LINES_PLANNED]) if n.originator_id == waiting.ref.aggregate_id
    ]
    assert held == planned[-1] - 1  # held just before the waiting record's plan

    ledger.fold(TOPIC, 0, [(2, later)])
    second = ledger.seal(route, NOW, documents=True)
    assert (second.records, second.waiting) == (1, 1)
    assert ledger.tracked(batcher_name(client)) == held  # no row that does not advance

    doc_id = waiting.ref.aggregate_id
    doc = ledger.document(doc_id)
    assert doc is not None
    guid = doc.pending_lines[0].beleglink
    assert guid is not None
    ledger.record_upload(doc_id, guid, filename="RE-1.pdf")
    third = ledger.seal(route, NOW, documents=True)
    assert (third.records, third.waiting) == (1, 0)
    assert set(links(ledger, third.batch_ids).values()) == {guid}  # sealed with its link
    assert not set(third.batch_ids) & set(first.batch_ids + second.batch_ids)
    assert ledger.tracked(batcher_name(client)) > held
    assert ledger.seal(route, NOW, documents=True).records == 0  # nothing left, nothing twice


def test_after_the_wait_the_record_seals_without_its_link(
    make_settings: Callable[..., Settings],
) -> None:
    route = rules()
    ledger = build_ledger(make_settings(), BookingRules([route]))
    record = change(4, pdf=True)
    ledger.fold(TOPIC, 0, [(0, record)])
    assert ledger.seal(route, NOW, documents=True).waiting == 1
    wait = route.mapping.documents.beleglink_wait
    late = ledger.seal(route, datetime.now(UTC) + wait, documents=True)
    assert (late.records, late.waiting) == (1, 0)
    assert set(links(ledger, late.batch_ids).values()) == {None}
    doc = ledger.document(record.ref.aggregate_id)
    assert doc is not None and "not in DUO after 15 min (upload pending)" in (
        doc.link_dropped or ""
    )
