"""Credential vault: encryption at rest, secret scan, key file permissions, rotation."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

import adapters.vault as vault_module
from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.tokens import DatevTokenService
from adapters.vault import (
    VAULT_FILE,
    DatevRefreshToken,
    ProcoreCredentials,
    Vault,
    VaultError,
    generate_key,
    load_keys,
    write_key_file,
)
from emulators.datev import DatevEmulator


def all_bytes_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


async def test_secret_scan_finds_no_plain_secret_in_files_logs_or_reprs(
    emu: DatevEmulator,
    vault: Vault,
    tokens: DatevTokenService,
    endpoints: DatevEndpoints,
    http: object,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    procore_secret = "procore-client-secret-" + os.urandom(8).hex()
    vault.set_procore(
        ProcoreCredentials(client_id="pc-id", client_secret=SecretStr(procore_secret))
    )
    token = await tokens.fresh_access_token()
    api = DatevClient(http, endpoints, emu.oauth_client_id, token)  # type: ignore[arg-type]
    await api.list_clients()
    stored = vault.read()
    assert stored.datev_refresh is not None and stored.datev is not None

    secrets = [
        procore_secret,
        emu.oauth_client_secret,
        stored.datev_refresh.token.get_secret_value(),
        token.value.get_secret_value(),
    ]
    files = all_bytes_under(data_dir)
    shown = " ".join([caplog.text, repr(stored), str(stored), repr(token), repr(vault), repr(api)])
    for secret in secrets:
        assert secret.encode() not in files
        assert secret not in shown
    assert "**********" in repr(stored)


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "vault.key"
    write_key_file(key_file, [generate_key()])
    assert load_keys(None, key_file)  # 0600 is fine
    key_file.chmod(0o644)
    with pytest.raises(VaultError) as info:
        load_keys(None, key_file)
    assert str(key_file) in str(info.value) and f"chmod 600 {key_file}" in str(info.value)
    key_file.chmod(0o640)
    with pytest.raises(VaultError, match="group or others"):
        load_keys(None, key_file)


def test_missing_or_malformed_keys(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="MLC_VAULT__KEY"):
        load_keys(None, None)
    with pytest.raises(VaultError, match="not a Fernet key"):
        load_keys(SecretStr("short"), None)
    with pytest.raises(VaultError, match="does not exist"):
        load_keys(None, tmp_path / "nope.key")


def test_key_rotation_keeps_old_files_readable_then_drops_the_old_key(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    path = tmp_path / VAULT_FILE
    Vault(path, [old]).set_procore(ProcoreCredentials(client_id="a", client_secret=SecretStr("s")))

    during = Vault(path, [new, old])  # new key first, old still listed: rotation in progress
    assert during.read().procore is not None
    during.rotate(new)
    assert Vault(path, [new]).read().procore == ProcoreCredentials(
        client_id="a", client_secret=SecretStr("s")
    )
    with pytest.raises(VaultError, match="none of the configured vault keys fits"):
        Vault(path, [old]).read()


def test_rotate_to_a_brand_new_key(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    vault = Vault(tmp_path / VAULT_FILE, [old])
    vault.set_procore(ProcoreCredentials(client_id="a", client_secret=SecretStr("s")))
    vault.rotate(new)
    assert Vault(tmp_path / VAULT_FILE, [new]).read().procore is not None


def test_env_value_with_two_keys(tmp_path: Path) -> None:
    a, b = generate_key(), generate_key()
    keys = load_keys(SecretStr(f"{a.get_secret_value()}, {b.get_secret_value()}"), None)
    assert keys == [a, b]


def test_a_crash_during_write_leaves_the_previous_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = Vault(tmp_path / VAULT_FILE, [generate_key()])
    vault.set_procore(ProcoreCredentials(client_id="before", client_secret=SecretStr("s")))

    def crash(tmp: Path, path: Path) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(vault_module, "_commit_file", crash)
    with pytest.raises(OSError):
        vault.set_procore(ProcoreCredentials(client_id="after", client_secret=SecretStr("s")))
    monkeypatch.undo()
    procore = vault.read().procore
    assert procore is not None and procore.client_id == "before"
    assert oct(vault.path.stat().st_mode & 0o777) == "0o600"


def test_compare_and_swap_refuses_a_stale_expectation(tmp_path: Path) -> None:
    vault = Vault(tmp_path / VAULT_FILE, [generate_key()])
    now = datetime.now(UTC)
    one = DatevRefreshToken(token=SecretStr("r1"), obtained_at=now, generation=1)
    two = DatevRefreshToken(token=SecretStr("r2"), obtained_at=now, generation=2)
    vault.compare_and_swap_refresh_token(None, one)
    vault.compare_and_swap_refresh_token(one, two)
    with pytest.raises(vault_module.VaultConflict):
        vault.compare_and_swap_refresh_token(one, two)
    stored = vault.read().datev_refresh
    assert stored is not None and stored.token.get_secret_value() == "r2"
