"""docker-compose.yml and the image definition agree with the settings model."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.config.env_names import known_variables, secret_file_variables
from streams.config.settings import Settings
from streams.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_stack_has_kafka_kraft_postgres_topics_job_and_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"kafka", "postgres", "topics", "worker"}
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    # Topics are created explicitly with the declared partition counts, never auto-created.
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert services["topics"]["command"] == ["topics", "--create"]
    for name in ("kafka", "postgres", "worker"):
        assert "healthcheck" in services[name], name
    topics_dep = services["worker"]["depends_on"]["topics"]
    assert topics_dep["condition"] == "service_completed_successfully"


def test_every_connector_env_var_is_a_real_setting(compose: dict[str, Any]) -> None:
    env = compose["services"]["worker"]["environment"]
    fields = Settings.model_fields
    secret_files = secret_file_variables(Settings)
    for key in env:
        assert key.startswith("MLC_"), key
        if key == "MLC_CONFIG":
            continue
        assert key in known_variables(Settings), f"{key} is not a setting"
        if key in secret_files:
            continue  # MLC_<secret>_FILE: the file holding that secret
        top, _, sub = key.removeprefix("MLC_").lower().partition("__")
        assert top in fields, f"{key} is not a setting"
        if sub:
            model = fields[top].annotation
            assert sub in model.model_fields, f"{key}: {sub} is not a field of {top}"  # type: ignore[union-attr]
    assert env["MLC_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["MLC_POSTGRES__HOST"] == "postgres"


def test_ports_agree_with_web_port(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    port = int(worker["environment"]["MLC_WEB_PORT"])
    assert f"{port}:{port}" in worker["ports"]
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert f"EXPOSE {port}" in dockerfile
    assert f"MLC_WEB_PORT={port}" in dockerfile


def test_image_runs_as_non_root_from_the_lock_file() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "\nUSER connector" in dockerfile
    assert "FROM python:3.11" in dockerfile and ":latest" not in dockerfile


def test_production_sample_settings_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "deploy" / "ml-connector.production.toml"
    tomllib.loads(path.read_text())
    monkeypatch.setenv("MLC_CONFIG", str(path))
    s = Settings()
    assert s.vault.encrypt_event_store is True
    assert s.procore.base_url == "https://api.procore.com"


def test_declared_topics_have_sane_partitions() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))
    assert all(t.partitions >= 1 for t in ALL_TOPICS)


def test_secrets_are_files_and_event_store_encryption_is_on(compose: dict[str, Any]) -> None:
    services = compose["services"]
    env = services["worker"]["environment"]
    secret_files = secret_file_variables(Settings)
    # No secret value in the environment: each one is a *_FILE naming a mounted secret.
    for direct in ("MLC_POSTGRES__PASSWORD", "MLC_VAULT__KEY", "MLC_STATUS_TOKEN"):
        assert direct not in env, direct
    assert "POSTGRES_PASSWORD" not in services["postgres"]["environment"]
    named = {k: v for k, v in env.items() if k in secret_files or k == "MLC_VAULT__KEY_FILE"}
    assert set(named) == {
        "MLC_POSTGRES__PASSWORD_FILE",
        "MLC_VAULT__KEY_FILE",
        "MLC_STATUS_TOKEN_FILE",
        "MLC_PROCORE__WEBHOOK_SECRET_FILE",
    }
    declared = compose["secrets"]
    for name in ("worker", "topics"):
        assert set(services[name]["secrets"]) == set(declared), name
    for path in named.values():
        assert path.startswith("/run/secrets/") and path.removeprefix("/run/secrets/") in declared
    assert all(spec["file"].startswith("./secrets/") for spec in declared.values())
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert env["MLC_VAULT__ENCRYPT_EVENT_STORE"] == "true"
    sample = tomllib.loads((ROOT / "deploy" / "ml-connector.production.toml").read_text())
    assert sample["vault"]["encrypt_event_store"] is True
