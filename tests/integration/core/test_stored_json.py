"""Stored events in eventsourcing's JSON format, written and read with orjson: stores written by
the standard transcoder read the same, and relayed messages match the decoded events'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from eventsourcing.persistence import JSONTranscoder, Transcoder

from adapters.vault import generate_key
from emulators.procore.data import EmulatorState, generate
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import _write_mapping
from streams.ledger.application import Ledger
from streams.ledger.eventstore import event_store_env
from streams.ledger.rules import BookingRules, load_rules
from streams.stages import relay
from tests.support.fakes import FakeEmulator, ManualClock
from tests.support.snapshots import all_snapshots, fold_each

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


class StandardLedger(Ledger):
    """The ledger as it stored events before: eventsourcing's own JSON transcoder."""

    def construct_transcoder(self) -> Transcoder:
        transcoder = JSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder


@pytest.fixture
def state() -> EmulatorState:
    return generate(seed=7, size="small", clock=ManualClock())


@pytest.fixture
def rules(state: EmulatorState, tmp_path: Path) -> BookingRules:
    return load_rules([_write_mapping(tmp_path, FakeEmulator(state), "manual")])  # type: ignore[arg-type]


def fold_and_seal(ledger: Ledger, state: EmulatorState, rules: BookingRules) -> None:
    fold_each(ledger, all_snapshots(state))
    assert ledger.seal(next(iter(rules.clients.values())), NOW).batch_ids


def messages(ledger: Ledger, encode: Callable[[Ledger, Any], relay.RelayedEvent]) -> list[Any]:
    return [encode(ledger, n) for n in ledger.scan([])]


def test_relayed_messages_are_the_decoded_events_messages(
    make_settings: Callable[..., Settings], state: EmulatorState, rules: BookingRules
) -> None:
    ledger = build_ledger(make_settings(), rules)
    fold_and_seal(ledger, state, rules)
    relayed = messages(ledger, relay.encode_notification)
    assert len(relayed) > 100
    assert relayed == messages(ledger, relay._encode_decoded)


def test_encrypted_store_relays_the_same_messages(
    sqlite_settings: Callable[..., Settings], state: EmulatorState, rules: BookingRules
) -> None:
    settings = sqlite_settings(vault={"key": generate_key(), "encrypt_event_store": True})
    ledger = build_ledger(settings, rules)
    fold_and_seal(ledger, state, rules)
    assert messages(ledger, relay.encode_notification) == messages(ledger, relay._encode_decoded)


def test_a_store_written_by_either_transcoder_reads_the_same_with_the_other(
    make_settings: Callable[..., Settings], state: EmulatorState, rules: BookingRules
) -> None:
    settings = make_settings()
    old = StandardLedger(env=event_store_env(settings), rules=rules)
    fold_and_seal(old, state, rules)
    new = build_ledger(settings, rules)
    ids = {n.originator_id for n in new.scan([])}
    for agg_id in ids:  # every aggregate rebuilds to the same state from the other's bytes
        assert vars(new.aggregate(agg_id)) == vars(old.aggregate(agg_id))
    notifications = list(new.scan([]))
    assert [new.decode(n) for n in notifications] == [old.decode(n) for n in notifications]
    # And what the new transcoder writes is byte-identical to what the old one would have.
    for n in notifications:
        assert new.mapper.transcoder.encode(old.mapper.transcoder.decode(n.state)) == n.state


def test_a_message_too_large_for_kafka_goes_out_without_its_largest_fields(
    state: EmulatorState, rules: BookingRules, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused message would stop the relay for good: none is ever larger than the bound."""
    ledger = build_ledger(Settings(data_dir=tmp_path / "var"), rules)
    fold_and_seal(ledger, state, rules)
    whole = {
        m.notification_id: orjson.loads(m.value)
        for m in messages(ledger, relay.encode_notification)
    }
    sealed = [m for m in whole.values() if m["type"] == "Batch.Sealed"]
    limit = max(len(orjson.dumps(m)) for m in sealed) - 1  # the largest batch is over it
    monkeypatch.setattr(relay, "MAX_MESSAGE_BYTES", limit)

    for encode in (relay.encode_notification, relay._encode_decoded):
        trimmed = 0
        for message in messages(ledger, encode):
            assert len(message.value) <= limit
            body = orjson.loads(message.value)
            before = whole[message.notification_id]
            if "omitted" not in body:
                assert body == before
                continue
            assert body["type"] == "Batch.Sealed"
            assert body["omitted"]["lines"]["items"] == len(before["data"]["lines"])
            kept = {k: v for k, v in before["data"].items() if k not in body["omitted"]}
            assert body["data"] == kept and body["aggregate_id"] == before["aggregate_id"]
            trimmed += 1
        assert trimmed >= 1
