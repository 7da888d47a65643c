"""Shared fixtures: an embedded Kafka broker, throwaway PostgreSQL databases, settings.

Every fixture is safe under pytest-xdist: brokers, ports, data directories and PostgreSQL
database names belong to one test (or one worker process), never to the machine.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker, free_port
from streams.config.settings import Settings
from streams.topics import ALL_TOPICS
from tests.support.logging_reset import _restore_logging  # noqa: F401 (autouse fixture)
from tests.support.ordering import longest_first
from tests.support.timing import SESSION_ENV

PG_DSN = os.environ.get("MLC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, start the long whole-worker tests first so they overlap with the rest."""
    if hasattr(config, "workerinput"):
        items[:] = longest_first(items)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's MLC_* variables or a settings file in the cwd.

    Worker processes started by tests inherit a short consumer-group session: a worker restarted
    after SIGKILL takes over its partitions in seconds instead of ~20 s.
    """
    for name in list(os.environ):
        if (name.startswith("MLC_") and name != "MLC_TEST_PG_DSN") or name == "PERSISTENCE_MODULE":
            monkeypatch.delenv(name, raising=False)
    for name, value in SESSION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


def _start_broker(workdir: Path) -> EmbeddedBroker:
    broker = EmbeddedBroker(workdir).start()
    asyncio.run(ensure_topics(broker.bootstrap_servers, ALL_TOPICS))
    return broker


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """One embedded broker for the session, with every declared topic created."""
    broker = _start_broker(tmp_path_factory.mktemp("kafka"))
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def fresh_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of the test's own (empty topics, no consumer groups)."""
    broker = _start_broker(tmp_path / "kafka")
    try:
        yield broker
    finally:
        broker.stop()


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture
def pg_dbname() -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped after the test."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_DSN} (CI must start it)")
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")
    import psycopg

    name = f"mlc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def settings_factory(tmp_path: Path, pg_dbname: str | None = None) -> Callable[..., Settings]:
    pg: dict[str, object] = {"dbname": pg_dbname} if pg_dbname else {}

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "var",
            "web_port": free_port(),
            "log_level": "warn",
            "postgres": pg,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_settings(
    tmp_path: Path, store_kind: str, request: pytest.FixtureRequest
) -> Callable[..., Settings]:
    """Settings for the parametrized event store (SQLite in tmp, or a throwaway PG database)."""
    dbname = request.getfixturevalue("pg_dbname") if store_kind == "postgres" else None
    return settings_factory(tmp_path, dbname)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with the SQLite event store only (for tests about one store's behaviour)."""
    return settings_factory(tmp_path)
