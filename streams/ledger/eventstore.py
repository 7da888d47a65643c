"""Event-store configuration: SQLite under the data directory by default, PostgreSQL when set.

eventsourcing reads its infrastructure from environment-style variables; this module builds that
mapping from the connector's settings so no code elsewhere touches persistence details. If the
process environment already names ``PERSISTENCE_MODULE``, it wins (eventsourcing's own variables).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from adapters.vault import VaultError, load_keys
from streams.config.datadir import PRIVATE_FILE, ensure_data_dir
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
        # Folds load each record's aggregate; the cache saves replaying its whole history. A
        # document with its Procore record and context is ~20 kB in memory: 1,000 keep the
        # worker's memory flat (5,000 grew RSS by ~100 MB) and still hold the shared registries
        # (used by every batch) and what the seal stage loads right after folding.
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",  # other processes (CLI replays) write too
    }
    if settings.vault.encrypt_event_store:
        env.update(encryption_env(settings))
    if os.environ.get("PERSISTENCE_MODULE"):
        return env  # eventsourcing's own variables are in charge
    if settings.uses_postgres:
        pg = settings.postgres
        check_postgres(settings)
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
        ensure_data_dir(settings.data_dir)
        _create_private(sqlite_path(settings))
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(sqlite_path(settings)),
                "SQLITE_LOCK_TIMEOUT": "10",
                "CREATE_TABLE": "y",
            }
        )
    return env


CONNECT_TIMEOUT_S = 5
SQLITE_FILE = "events.sqlite3"


def check_postgres(settings: Settings) -> None:
    """Connect once, quickly: a wrong host, database or role is one clear line, not a 30 s hang.

    The message names host, port, database and user, and quotes the server's own words.
    """
    import psycopg

    pg = settings.postgres
    try:
        with psycopg.connect(
            host=pg.host,
            port=pg.port,
            dbname=pg.dbname,
            user=pg.user,
            password=pg.password.get_secret_value() or None,
            connect_timeout=CONNECT_TIMEOUT_S,
        ):
            return
    except psycopg.Error as exc:
        said = _server_message(str(exc))
    raise ConnectorError(
        f"cannot connect to PostgreSQL at {pg.host}:{pg.port}, database {pg.dbname!r} as user "
        f"{pg.user!r}: {said}; check MLC_POSTGRES__HOST, __PORT, __DBNAME, __USER and "
        "__PASSWORD, and that the server runs"
    )


def _server_message(text: str) -> str:
    """The server's reason without libpq's repeated "connection to server … failed:" prefix."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else text
    last = re.sub(r"^.* failed: ", "", last)
    return re.sub(r"\s+", " ", last) or "no answer within " + f"{CONNECT_TIMEOUT_S} s"


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


def _create_private(path: Path | None) -> None:
    """Create the SQLite file 0600 before SQLite does (it gives -wal and -shm the same mode)."""
    if path is not None and not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite event-store file, when SQLite is the store."""
    if os.environ.get("PERSISTENCE_MODULE") or settings.uses_postgres:
        return None
    return (settings.data_dir / SQLITE_FILE).resolve()


def describe_event_store(settings: Settings) -> str:
    """Human-readable location of the event store (no password)."""
    if os.environ.get("PERSISTENCE_MODULE"):
        return f"{os.environ['PERSISTENCE_MODULE']} (from environment)"
    if settings.uses_postgres:
        pg = settings.postgres
        return f"PostgreSQL {pg.user}@{pg.host}:{pg.port}/{pg.dbname}"
    return f"SQLite {sqlite_path(settings)}"
