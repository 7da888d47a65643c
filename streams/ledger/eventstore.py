"""Event-store configuration: SQLite under the data directory by default, PostgreSQL when set.

eventsourcing reads its infrastructure from environment-style variables; this module builds that
mapping from the connector's settings so no code elsewhere touches persistence details. If the
process environment already names ``PERSISTENCE_MODULE``, it wins (eventsourcing's own variables).
"""

from __future__ import annotations

import os

from adapters.vault import VaultError, load_keys
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.event_cipher import (
    CIPHER_TOPIC,
    COMPRESSOR_TOPIC,
    KEYS_VARIABLE,
    derived_keys,
)


def event_store_env(settings: Settings) -> dict[str, str]:
    """Environment for eventsourcing applications built from ``settings``."""
    env: dict[str, str] = {
        # Folds load each record's aggregate; the cache saves replaying its whole history.
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",  # other processes (CLI replays) write too
    }
    if settings.vault.encrypt_event_store:
        env.update(encryption_env(settings))
    if os.environ.get("PERSISTENCE_MODULE"):
        return env  # eventsourcing's own variables are in charge
    if settings.uses_postgres:
        pg = settings.postgres
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": str(pg.dbname),
                "POSTGRES_HOST": pg.host,
                "POSTGRES_PORT": str(pg.port),
                "POSTGRES_USER": pg.user,
                "POSTGRES_PASSWORD": pg.password.get_secret_value(),
                "POSTGRES_SCHEMA": pg.schema_name,
                "CREATE_TABLE": "y",
            }
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str((settings.data_dir / "events.sqlite3").resolve()),
                "SQLITE_LOCK_TIMEOUT": "10",
                "CREATE_TABLE": "y",
            }
        )
    return env


def encryption_env(settings: Settings) -> dict[str, str]:
    """Cipher and compressor variables when ``vault.encrypt_event_store`` is on."""
    try:
        keys = load_keys(settings.vault.key, settings.vault.key_file)
    except VaultError as exc:
        raise ConnectorError(
            f"MLC_VAULT__ENCRYPT_EVENT_STORE is on but the vault key is unusable: {exc}"
        ) from None
    return {
        "CIPHER_TOPIC": CIPHER_TOPIC,
        KEYS_VARIABLE: derived_keys(keys),
        "COMPRESSOR_TOPIC": COMPRESSOR_TOPIC,
    }


def describe_event_store(settings: Settings) -> str:
    """Human-readable location of the event store (no password)."""
    if os.environ.get("PERSISTENCE_MODULE"):
        return f"{os.environ['PERSISTENCE_MODULE']} (from environment)"
    if settings.uses_postgres:
        pg = settings.postgres
        return f"PostgreSQL {pg.user}@{pg.host}:{pg.port}/{pg.dbname}"
    return f"SQLite {(settings.data_dir / 'events.sqlite3').resolve()}"
