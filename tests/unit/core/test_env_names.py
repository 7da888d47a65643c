"""Secrets from files, typo warnings with the closest name, JSON errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.config.env_names import secret_file_variables, unknown_variables
from streams.config.settings import Settings, SettingsError, load_settings


def test_secret_files_are_read_without_the_final_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token").write_text("s3cret-token\n")
    (tmp_path / "pg").write_text("pg-pass")
    monkeypatch.setenv("MLC_STATUS_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("MLC_POSTGRES__PASSWORD_FILE", str(tmp_path / "pg"))
    monkeypatch.setenv("MLC_POSTGRES__HOST", "db.internal")  # merges with the file's field
    settings = load_settings()
    assert settings.status_token is not None
    assert settings.status_token.get_secret_value() == "s3cret-token"
    assert settings.postgres.password.get_secret_value() == "pg-pass"
    assert settings.postgres.host == "db.internal"


def test_which_secrets_have_file_variables() -> None:
    assert set(secret_file_variables(Settings)) == {
        "MLC_STATUS_TOKEN_FILE",
        "MLC_POSTGRES__PASSWORD_FILE",
        "MLC_PROCORE__WEBHOOK_SECRET_FILE",
    }  # the vault key has its own key_file setting


def test_secret_file_problems_are_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLC_STATUS_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        f"MLC_STATUS_TOKEN_FILE names {tmp_path / 'missing'}, which cannot be read "
        "(No such file or directory): point it at the secret file (e.g. /run/secrets/…)"
    )
    (tmp_path / "missing").write_text("x-token")
    monkeypatch.setenv("MLC_STATUS_TOKEN", "other")
    with pytest.raises(SettingsError, match="both MLC_STATUS_TOKEN and MLC_STATUS_TOKEN_FILE"):
        load_settings()


def test_unknown_variables_get_the_closest_valid_name() -> None:
    env = {
        "MLC_WEBPORT": "1",
        "MLC_POSTGRES__DB_NAME": "x",
        "MLC_STATUS_TOKEN_FILE": "/run/secrets/t",  # valid
        "MLC_VAULT__KEY_FILE": "/k",  # valid
        "MLC_CONFIG": "a.toml",  # valid
        "MLC_TEST_PG_DSN": "dsn",  # the test suite's own
        "MLC_ZZZZZZZZZZZZ": "1",
        "PATH": "/bin",
    }
    assert unknown_variables(Settings, env) == [
        "unknown setting MLC_POSTGRES__DB_NAME is ignored; did you mean MLC_POSTGRES__DBNAME?",
        "unknown setting MLC_WEBPORT is ignored; did you mean MLC_WEB_PORT?",
        "unknown setting MLC_ZZZZZZZZZZZZ is ignored; see the settings table in README.md",
    ]


def test_bad_json_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_PROCORE__COMPANY_IDS", "[1, 2")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("MLC_PROCORE__COMPANY_IDS is not valid JSON")
    assert "MLC_PROCORE__COMPANY_IDS='[123, 456]'" in str(caught.value)


def test_settings_file_typos_get_the_closest_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streams.config.typos import unknown_settings

    path = tmp_path / "ml-connector.toml"
    path.write_text('[procore]\nbaseurl = "https://x.test"\n', encoding="utf-8")
    monkeypatch.setenv("MLC_CONFIG", str(path))
    assert load_settings().procore.base_url == "https://api.procore.com"  # ignored, so warned
    assert unknown_settings() == [
        f"unknown setting 'procore.baseurl' in {path} is ignored; did you mean 'procore.base_url'?"
    ]
    path.write_text("webport = 7000\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        "invalid settings:\n"
        f"  - webport: not a setting (did you mean 'web_port'?); rename or remove it in {path}"
    )
