"""Files ``ml-connector init`` writes: the vault key, the settings TOML, mapping proposals.

Nothing here overwrites an existing file unless asked (``force``), and a vault key is never
overwritten at all: losing it makes the stored credentials unreadable.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr, ValidationError

from adapters.atomic_file import write_atomic
from adapters.vault import VAULT_FILE, Vault, VaultError, generate_key, load_keys, write_key_file
from streams.config.settings import (
    DatevSettings,
    ProcoreSettings,
    Settings,
    describe_validation_error,
)
from streams.errors import ConnectorError

KEY_FILE_NAME = "vault.key"
FORCE_HINT = "nothing was changed; re-run with --force to overwrite it"


@dataclass(frozen=True)
class VaultSetup:
    vault: Vault
    key_file: Path | None  # None: the key comes from MLC_VAULT__KEY
    key_created: bool


def refuse_existing(paths: Iterable[Path], force: bool) -> None:
    """Stop before changing anything when a file init would write already exists."""
    if force:
        return
    existing = [p for p in paths if p.exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise ConnectorError(f"{names} already exists; {FORCE_HINT}")


def prepare_vault(data_dir: Path, key: SecretStr | None, key_file: Path | None) -> VaultSetup:
    """Open the vault with the configured key, or create a 0600 key file under ``data_dir``.

    An existing key file is always reused (also with ``--force``); a vault that exists without
    any usable key is an error rather than a silent fresh start.
    """
    if key is not None and key.get_secret_value().strip():
        return VaultSetup(_open(data_dir, key, None), None, False)
    path = key_file or data_dir / KEY_FILE_NAME
    created = False
    if not path.exists():
        if (data_dir / VAULT_FILE).exists():
            raise ConnectorError(
                f"{data_dir / VAULT_FILE} exists but its key file {path} does not; set "
                "MLC_VAULT__KEY_FILE (or MLC_VAULT__KEY) to the key it was written with, or move "
                "the vault away to start over"
            )
        write_key_file(path, [generate_key()])
        created = True
    return VaultSetup(_open(data_dir, None, path), path.resolve(), created)


def _open(data_dir: Path, key: SecretStr | None, key_file: Path | None) -> Vault:
    try:
        vault = Vault.open(data_dir, key, key_file)
        vault.read()  # fail now if the key does not fit an existing vault
    except VaultError as exc:
        raise ConnectorError(str(exc)) from None
    return vault


def vault_key_values(key: SecretStr | None, key_file: Path | None) -> list[str]:
    try:
        return [k.get_secret_value() for k in load_keys(key, key_file)]
    except VaultError:
        return []


def _q(value: str | Path) -> str:
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Sequence[str | Path | int]) -> str:
    return "[" + ", ".join(str(v) if isinstance(v, int) else _q(v) for v in values) + "]"


def render_settings(
    *,
    data_dir: Path,
    mappings: Sequence[Path],
    key_file: Path | None,
    procore: ProcoreSettings,
    datev: DatevSettings,
) -> str:
    """The settings TOML; secrets are never part of it (they live in the vault or env vars)."""
    out = [
        "# Written by `ml-connector init`. No secrets in here: the Procore and DATEV credentials",
        "# and the DATEV login are in the encrypted vault; give the webhook secret and the status",
        "# page token as files (mode 600): MLC_PROCORE__WEBHOOK_SECRET_FILE and",
        "# MLC_STATUS_TOKEN_FILE.",
        f"data_dir = {_q(data_dir.resolve())}",
        f"mappings = {_list([m.resolve() for m in mappings])}",
        'log_level = "info"',
        "",
        "[vault]",
    ]
    if key_file is not None:
        out.append(f"key_file = {_q(key_file)}")
    else:
        out.append("# key from MLC_VAULT__KEY")
    out += ["", "[procore]"]
    out.append(f"base_url = {_q(procore.base_url)}")
    out.append(f"auth_url = {_q(procore.auth_url)}")
    if procore.client_id:
        out.append(f"client_id = {_q(procore.client_id)}")
    out.append(f"company_ids = {_list(procore.company_ids)}")
    out += ["", "[datev]"]
    for name in (
        "authorize_url",
        "token_url",
        "extf_base_url",
        "documents_base_url",
        "clients_base_url",
    ):
        out.append(f"{name} = {_q(getattr(datev, name))}")
    out.append(f"redirect_port = {datev.redirect_port}")
    return "\n".join(out) + "\n"


def check_settings_text(text: str, secrets: Iterable[str], path: Path) -> None:
    """The rendered settings parse into :class:`Settings` and contain none of ``secrets``."""
    leaked = [s for s in secrets if len(s) >= 4 and s in text]
    if leaked:  # a bug, never expected: refuse to write a file with a secret in it
        raise ConnectorError(f"refusing to write {path}: it would contain a secret value")
    try:
        Settings.model_validate(tomllib.loads(text))
    except ValidationError as exc:
        raise ConnectorError(describe_validation_error(exc, path)) from None


def write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Write atomically (temp file + rename), creating parent directories."""
    write_atomic(path, text, mode=mode)
