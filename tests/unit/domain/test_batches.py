"""Batches as DATEV expects them: one Buchungsstapel per Buchungsperiode, numbered readable
labels, split by rows and by bytes (DATEV's 50 MB upload limit)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.batch_files import batch_label, build_files
from domain.booking import BookingLine
from domain.extf import read_extf, split_batches
from domain.extf.buchungsstapel import MAX_BYTES, MAX_LINES, write_buchungsstapel
from domain.mapping import ClientMapping
from domain.periods.register import ClientPeriods

CREATED = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


def line(day: date, n: int, ref: str = "r", **over: object) -> BookingLine:
    data: dict[str, object] = {
        "line_id": f"{ref}/{n}",
        "source_ref": ref,
        "amount": Decimal("1190.00"),
        "debit_credit": "H",
        "account": 70010,
        "contra_account": 3100,
        "bu_key": "9",
        "document_date": day,
        "belegfeld1": f"R{n}",
        **over,
    }
    return BookingLine.model_validate(data)


def test_one_buchungsstapel_per_month_dated_inside_it(mapping: ClientMapping) -> None:
    lines = [
        line(date(2026, 10, 28), 1, "a"),
        line(date(2026, 11, 3), 2, "b"),
        line(date(2026, 10, 2), 3, "c"),
    ]
    parts = split_batches(lines, mapping)
    assert [sorted(ln.line_id for ln in p) for p in parts] == [["a/1", "c/3"], ["b/2"]]
    for part in parts:
        header, _ = read_extf(write_buchungsstapel(part, mapping, created=CREATED))
        start, end = header[14], header[15]
        assert start[:6] == end[:6] == f"{part[0].document_date:%Y%m}"


def test_fiscal_year_from_1_july_splits_28_june_and_3_july() -> None:
    from tests.unit.domain.factories import mapping_data

    data = mapping_data()
    data["client"]["fiscal_year_start"] = "07-01"
    m = ClientMapping.model_validate(data)
    parts = split_batches([line(date(2026, 6, 28), 1, "a"), line(date(2026, 7, 3), 2, "b")], m)
    headers = [read_extf(write_buchungsstapel(p, m, created=CREATED))[0] for p in parts]
    assert [(h[12], h[14], h[15]) for h in headers] == [
        ("20250701", "20260628", "20260628"),
        ("20260701", "20260703", "20260703"),
    ]


def test_labels_are_unique_and_readable(mapping: ClientMapping) -> None:
    periods = ClientPeriods(client_id="29098-55003")
    labels = [batch_label(p, periods.number_batch(p)) for p in ("2026-10", "2026-10", "2026-11")]
    labels.append(batch_label("2026-10", periods.number_batch("2026-10")))
    assert labels == [
        "Procore 2026-10 / 1",
        "Procore 2026-10 / 2",
        "Procore 2026-11 / 1",
        "Procore 2026-10 / 3",
    ]
    files = build_files([line(date(2026, 10, 5), 1)], [], mapping, CREATED, labels[-1])
    header, _ = read_extf(files["bookings"].data)
    assert header[16] == "Procore 2026-10 / 3"
    # batches sealed before labels existed rebuild with their old label
    old = build_files([line(date(2026, 10, 5), 1)], [], mapping, CREATED)
    assert read_extf(old["bookings"].data)[0][16] == "Procore 202610"


def test_99998_rich_rows_split_below_50_mb(mapping: ClientMapping) -> None:
    """Long texts, umlauts, eight Beleginfo pairs and a Beleglink: ~540 bytes a row."""
    day = date(2026, 10, 15)
    info = (
        ("Procore-ID", "4281379:20251:direct_cost:99000000"),
        ("Rechnungsnummer", "Rechnung Nr. 2026/Ä-000142 vom 15.10.2026 über Gerüstbau"),
        ("Storno zu", "Gerüstbau Nord KG Kita Augsburg RE-2026-0142"),
    )
    template = line(
        day,
        0,
        text="Gerüstbau Müller & Söhne Straßenbau Kita Augsburg 2026-0142",
        beleglink="0f8fad5b-d9cb-469f-a165-70867728950e",
        kost1="20251",
        kost2="HOCHBAU",
        beleginfo=info,
    )
    lines = [
        template.model_copy(update={"line_id": f"r{n}/x", "source_ref": f"r{n}"})
        for n in range(99_998)
    ]
    parts = split_batches(lines, mapping)
    assert len(parts) == 2 and sum(len(p) for p in parts) == 99_998
    sizes = []
    for part in parts:
        assert len(part) <= MAX_LINES
        sizes.append(len(write_buchungsstapel(part, mapping, created=CREATED)))
    assert all(size < MAX_BYTES for size in sizes)
    assert sum(sizes) > MAX_BYTES  # one file would have been over DATEV's limit


def test_batches_sealed_before_labels_still_load() -> None:
    import orjson
    from eventsourcing.application import Application
    from eventsourcing.persistence import StoredEvent

    from domain.batch import Batch

    app: Application[object] = Application()  # type: ignore[type-var]
    batch = Batch(
        client_id="29098-55003",
        seal_position=7,
        part=0,
        created=CREATED,
        lines=[],
        record_keys=[],
        creditors=[],
        files={},
        label="Procore 2026-10 / 1",
    )
    (stored,) = [app.mapper.to_stored_event(e) for e in batch.collect_events()]
    state = orjson.loads(stored.state)
    assert state.pop("label") == "Procore 2026-10 / 1"
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=orjson.dumps(state),
    )
    loaded = app.mapper.to_domain_event(old).mutate(None)  # type: ignore[attr-defined]
    assert isinstance(loaded, Batch) and loaded.label == ""


def test_largest_possible_row_is_below_the_bound(mapping: ClientMapping) -> None:
    from domain.extf.buchungsstapel import MAX_ROW_BYTES, row_bytes

    wide = "𝔘" * 60  # 4 bytes each in UTF-8
    fat = line(
        date(2026, 10, 1),
        1,
        text=wide,
        beleglink="x" * 200,
        kost1="K" * 36,
        kost2="K" * 36,
        belegfeld1="A" * 36,
        belegfeld2="B" * 36,
        beleginfo=tuple(("Ä" * 20, "𝔘" * 210) for _ in range(8)),
        service_date=date(2026, 10, 1),
    )
    assert row_bytes(fat) < MAX_ROW_BYTES
