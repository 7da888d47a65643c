from __future__ import annotations

from pathlib import Path

import pytest

from streams.config.settings import SettingsError, load_settings


def test_defaults_use_embedded_kafka_and_sqlite() -> None:
    s = load_settings()
    assert s.embedded_kafka
    assert not s.uses_postgres
    assert s.data_dir == Path("var")
    assert s.web_port == 6066


def test_env_vars_override_and_nest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("MLC_POSTGRES__DBNAME", "connector")
    monkeypatch.setenv("MLC_LOG_LEVEL", "debug")
    s = load_settings()
    assert s.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert not s.embedded_kafka
    assert s.uses_postgres and s.postgres.dbname == "connector"
    assert s.log_level == "debug"


def test_toml_file_is_read_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "mlc.toml"
    cfg.write_text('web_port = 7000\nlog_level = "warn"\n[postgres]\ndbname = "x"\n')
    monkeypatch.setenv("MLC_CONFIG", str(cfg))
    monkeypatch.setenv("MLC_LOG_LEVEL", "error")
    s = load_settings()
    assert s.web_port == 7000
    assert s.postgres.dbname == "x"
    assert s.log_level == "error"


def test_invalid_settings_name_each_setting_and_how_to_set_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLC_WEB_PORT", "not-a-port")
    monkeypatch.setenv("MLC_KAFKA_BOOTSTRAP_SERVERS", "localhost")
    with pytest.raises(SettingsError) as info:
        load_settings()
    text = str(info.value)
    assert "web_port" in text and "MLC_WEB_PORT" in text and "not-a-port" in text
    assert "kafka_bootstrap_servers" in text and "host:port" in text


def test_unknown_setting_in_toml_is_rejected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cfg = tmp_path / "mlc.toml"
    cfg.write_text("web_prot = 7000\n")
    monkeypatch.setenv("MLC_CONFIG", str(cfg))
    with pytest.raises(SettingsError, match="web_prot"):
        load_settings()


def test_missing_config_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_CONFIG", "/nonexistent/mlc.toml")
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings()
