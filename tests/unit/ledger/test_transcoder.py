"""The orjson transcoder writes and reads eventsourcing's JSON format: either reads the other's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from streams.ledger.transcoder import OrjsonTranscoder, plain_json

ID = UUID("0f6d2c1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f")
AT = datetime(2026, 11, 2, 9, 30, 15, 120000, tzinfo=UTC)


class Kind(StrEnum):
    INVOICE = "invoice"


def standard() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


STATES: list[dict[str, Any]] = [
    {"timestamp": AT, "record_key": "7:70:direct_cost:1", "amount": Decimal("14250.00")},
    {"timestamp": AT, "batch_id": ID, "lines": [{"betrag": Decimal("-0.01"), "at": AT}]},
    {"timestamp": AT, "nested": {"ids": [ID, ID], "empty": {}, "none": None}, "n": 3, "f": 0.5},
    {"timestamp": AT, "text": 'Bau Müller "GmbH" \\ _type_', "kind": Kind.INVOICE, "flag": True},
    {"timestamp": AT, "record": {"_type_": "x", "other": 1}, "tuple": (1, "a")},
]


@pytest.mark.parametrize("state", STATES)
def test_same_bytes_as_the_standard_transcoder_and_each_reads_the_other(
    state: dict[str, Any],
) -> None:
    ours, theirs = OrjsonTranscoder(), standard()
    written = ours.encode(state)
    assert written == theirs.encode(state)
    expected = theirs.decode(theirs.encode(state))
    assert ours.decode(theirs.encode(state)) == expected
    assert theirs.decode(written) == expected
    assert type(ours.decode(written)["timestamp"]) is datetime


def test_typed_values_deep_inside_are_decoded() -> None:
    state = {"timestamp": AT, "lines": [{"amount": Decimal("1.10"), "batch": ID}]}
    decoded = OrjsonTranscoder().decode(standard().encode(state))
    assert decoded["lines"][0] == {"amount": Decimal("1.10"), "batch": ID}


def test_what_orjson_refuses_falls_back_to_the_standard_transcoder() -> None:
    ours, theirs = OrjsonTranscoder(), standard()
    big = {"timestamp": AT, "n": 2**70}
    assert ours.decode(theirs.encode(big)) == big
    assert ours.decode(ours.encode(big)) == big
    nan = theirs.encode({"x": float("nan")})
    assert str(ours.decode(nan)["x"]) == "nan"


def test_unknown_types_are_refused_both_ways() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        OrjsonTranscoder().encode({"when": AT.date()})
    with pytest.raises(TranscodingNotRegisteredError):
        OrjsonTranscoder().decode(b'{"a":{"_type_":"money","_data_":"1"}}')


def test_plain_json_is_what_a_json_consumer_of_the_decoded_state_sees() -> None:
    state = STATES[1] | {"deep": [{"id": ID, "amount": Decimal("2.50")}]}
    plain = plain_json(standard().encode(state))
    assert plain == {
        "timestamp": AT.isoformat(),
        "batch_id": str(ID),
        "lines": [{"betrag": "-0.01", "at": AT.isoformat()}],
        "deep": [{"id": str(ID), "amount": "2.50"}],
    }


def test_plain_json_keeps_lookalikes_and_reads_what_orjson_refuses() -> None:
    state = {"timestamp": AT, "record": {"_type_": "x", "other": 1}, "n": 2**70}
    plain = plain_json(standard().encode(state))
    assert plain == {"timestamp": AT.isoformat(), "record": {"_type_": "x", "other": 1}, "n": 2**70}
