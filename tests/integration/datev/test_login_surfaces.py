"""A rejected DATEV login is reported the same way on every surface, in any process."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from adapters.datev.login_state import LOGIN_NEEDED, record_login_problem
from adapters.datev.tokens import DatevTokenService
from adapters.vault import Vault
from emulators.datev import DatevEmulator
from streams.bootstrap import build_ledger, build_procore
from streams.cli import app
from streams.config.settings import DatevSettings, Settings
from streams.operator.status.context import StatusContext
from streams.setup.checks import datev as datev_check
from streams.setup.checks.base import DoctorContext
from tests.support.status_site import status_client


@pytest.fixture
def rejected(
    emu: DatevEmulator, vault: Vault, tokens: DatevTokenService, data_dir: Path
) -> Settings:
    """The worker's gateway found the refresh token rejected (it wrote the login state)."""
    emu.auth.revoke_refresh_tokens()
    record_login_problem(data_dir, "login", "refresh token was revoked")
    return Settings(data_dir=data_dir, datev=DatevSettings(**emu.settings_urls()))


def test_datev_status_says_login_needed_and_exits_non_zero(
    rejected: Settings, data_dir: Path, vault_key: SecretStr, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLC_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MLC_VAULT__KEY", vault_key.get_secret_value())
    result = CliRunner().invoke(app, ["datev", "status"])
    assert result.exit_code == 1, result.output
    assert LOGIN_NEEDED in result.output


async def test_status_page_and_readyz_say_login_needed(rejected: Settings, vault: Vault) -> None:
    ctx = StatusContext(settings=rejected, ledger=build_ledger(rejected), rules=None, vault=vault)
    text, kind = ctx.login_state()  # no gateway in this process: read from the data directory
    assert kind == "fail" and text.startswith(LOGIN_NEEDED)
    async with status_client(ctx) as http:
        ready = (await http.get("/readyz")).json()
    assert ready["status"] == "degraded" and ready["datev"].startswith(LOGIN_NEEDED)


async def test_doctor_says_login_needed_without_a_token_call(
    emu: DatevEmulator, rejected: Settings, vault: Vault
) -> None:
    grants = emu.auth.refresh_grants
    ctx = DoctorContext(
        settings=rejected, build_procore=build_procore, build_ledger=build_ledger, vault=vault
    )
    (check,) = await datev_check.run(ctx)
    assert check.failed and check.detail.startswith(LOGIN_NEEDED)
    assert "ml-connector datev login" in check.fix
    assert emu.auth.refresh_grants == grants
