"""Event-store encryption: with ``vault.encrypt_event_store`` on, stored events are unreadable
without the vault key and readable with it (also after a vault key rotation)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from eventsourcing.persistence import MapperDeserialisationError

from adapters.vault import generate_key
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.event_cipher import derive_key
from tests.support.changes import sample_change

VENDOR = "Bau Müller GmbH"


def _fold_sample(settings: Settings) -> None:
    change = sample_change()
    ledger = build_ledger(settings)
    assert ledger.fold("procore.records", 0, [(0, change)]).new_events >= 1


def _stored(settings: Settings) -> bytes:
    """The database file and its WAL/journal, as written to disk."""
    return b"".join(p.read_bytes() for p in sorted(settings.data_dir.glob("events.sqlite3*")))


def test_plain_store_shows_the_vendor_encrypted_store_does_not(
    sqlite_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    plain = sqlite_settings(data_dir=tmp_path / "plain")
    _fold_sample(plain)
    assert VENDOR.encode() in _stored(plain)  # the check below can fail

    key = generate_key()
    secret = sqlite_settings(
        data_dir=tmp_path / "enc", vault={"key": key, "encrypt_event_store": True}
    )
    _fold_sample(secret)
    raw = _stored(secret)
    assert VENDOR.encode() not in raw and b"RE-2026-0142" not in raw
    assert key.get_secret_value().encode() not in raw
    assert derive_key(key).encode() not in raw
    # Readable with the key: the record's history decodes.
    doc = build_ledger(secret).document(_doc_id(secret))
    assert doc is not None and doc.record is not None
    assert doc.record["vendor_name"] == VENDOR


def _doc_id(settings: Settings):  # type: ignore[no-untyped-def]
    ledger = build_ledger(settings)
    first = ledger.notifications(1, 1)[0]
    return first.originator_id


def test_without_the_key_events_cannot_be_read(
    sqlite_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    key = generate_key()
    secret = sqlite_settings(vault={"key": key, "encrypt_event_store": True})
    _fold_sample(secret)
    doc_id = _doc_id(secret)
    wrong = sqlite_settings(vault={"key": generate_key(), "encrypt_event_store": True})
    with pytest.raises(MapperDeserialisationError, match="MLC_VAULT__KEY"):
        build_ledger(wrong).document(doc_id)
    unencrypted = sqlite_settings()
    with pytest.raises(Exception):
        build_ledger(unencrypted).document(doc_id)


def test_rotation_keeps_old_events_readable_and_writes_with_the_new_key(
    sqlite_settings: Callable[..., Settings],
) -> None:
    old, new = generate_key(), generate_key()
    before = sqlite_settings(vault={"key": old, "encrypt_event_store": True})
    _fold_sample(before)
    doc_id = _doc_id(before)
    both = f"{new.get_secret_value()},{old.get_secret_value()}"
    after = sqlite_settings(vault={"key": both, "encrypt_event_store": True})
    doc = build_ledger(after).document(doc_id)
    assert doc is not None and doc.record is not None


def test_encryption_without_a_vault_key_is_refused_with_the_fix(
    sqlite_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(ConnectorError, match="MLC_VAULT__KEY"):
        build_ledger(sqlite_settings(vault={"encrypt_event_store": True}))
