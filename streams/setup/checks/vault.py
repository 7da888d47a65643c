"""Vault key configured, key file private, vault decryptable; which credentials it holds."""

from __future__ import annotations

import stat

from adapters.vault import Vault, VaultError, load_keys
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn

ORDER = 10


def check_vault(ctx: DoctorContext) -> tuple[Check, Vault | None]:
    name = "vault"
    settings = ctx.settings
    vs = settings.vault
    if vs.key is None and vs.key_file is None:
        return (
            fail(
                name,
                "no vault key configured",
                "create one with `ml-connector vault init-key` and set vault.key_file "
                "(or MLC_VAULT__KEY)",
            ),
            None,
        )
    if vs.key is None and vs.key_file is not None and vs.key_file.exists():
        mode = stat.S_IMODE(vs.key_file.stat().st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            return (
                fail(
                    name,
                    f"key file {vs.key_file} is readable by group or others (mode {mode:o})",
                    f"run `chmod 600 {vs.key_file}`",
                ),
                None,
            )
    try:
        vault = Vault(settings.data_dir / "credentials.vault", load_keys(vs.key, vs.key_file))
        secrets = vault.read()
    except VaultError as exc:
        return fail(name, str(exc), "check vault.key / vault.key_file"), None
    held = [n for n in ("procore", "datev", "datev_refresh") if getattr(secrets, n) is not None]
    if not vault.path.exists():
        return (
            warn(
                name,
                f"key readable; {vault.path} not created yet",
                "store credentials: `ml-connector vault procore-credentials`, "
                "`ml-connector datev credentials`",
            ),
            vault,
        )
    return ok(name, f"{vault.path} decrypts; holds {', '.join(held) or 'nothing'}"), vault


async def run(ctx: DoctorContext) -> list[Check]:
    check, ctx.vault = check_vault(ctx)
    return [check]
