"""docker-compose.yml and the image definition agree with the settings model."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

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
    for key in env:
        assert key.startswith("MLC_"), key
        if key == "MLC_CONFIG":
            continue
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
