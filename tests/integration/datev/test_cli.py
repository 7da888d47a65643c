"""The ``datev`` and ``vault`` CLI commands: status output never shows a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from adapters.datev.tokens import DatevTokenService
from adapters.vault import Vault
from emulators.datev import DatevEmulator
from streams.cli import app


async def test_status_shows_the_login_but_no_secret(
    emu: DatevEmulator,
    vault: Vault,
    tokens: DatevTokenService,
    data_dir: Path,
    vault_key: SecretStr,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLC_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MLC_VAULT__KEY", vault_key.get_secret_value())
    result = CliRunner().invoke(app, ["datev", "status"])
    assert result.exit_code == 0, result.output
    assert "rotation 1" in result.output and "refresh token expiry (estimated)" in result.output
    stored = vault.read().datev_refresh
    assert stored is not None
    for secret in (
        stored.token.get_secret_value(),
        emu.oauth_client_secret,
        vault_key.get_secret_value(),
    ):
        assert secret not in result.output


def test_init_key_writes_an_owner_only_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "vault.key"
    result = CliRunner().invoke(app, ["vault", "init-key", str(key_file)])
    assert result.exit_code == 0, result.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = CliRunner().invoke(app, ["vault", "init-key", str(key_file)])
    assert again.exit_code != 0
