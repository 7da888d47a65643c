"""Fresh access tokens per batch, refresh-token rotation, crashes, expired logins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import adapters.vault as vault_module
from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.errors import DatevLoginExpired
from adapters.datev.tokens import DatevTokenService
from adapters.vault import Vault
from emulators.datev import DatevEmulator

EXPIRED_MESSAGE = "DATEV login expired — run `ml-connector datev login`"


def service(emu: DatevEmulator, vault: Vault, http: httpx.AsyncClient) -> DatevTokenService:
    urls = emu.settings_urls()
    return DatevTokenService(vault, http, urls["authorize_url"], urls["token_url"])


async def test_every_batch_gets_a_fresh_token_and_the_refresh_token_rotates(
    emu: DatevEmulator, vault: Vault, tokens: DatevTokenService
) -> None:
    first_refresh = vault.read().datev_refresh
    assert first_refresh is not None
    a = await tokens.fresh_access_token()
    b = await tokens.fresh_access_token()

    assert a.value != b.value
    assert a.expires_at - datetime.now(UTC) <= timedelta(minutes=15)
    assert emu.auth.refresh_grants == 2
    stored = vault.read().datev_refresh
    assert stored is not None and stored.generation == first_refresh.generation + 2
    assert stored.token != first_refresh.token
    assert emu.auth.live_refresh_tokens() == 1  # old ones died with each rotation
    assert emu.auth.check_access(a.value.get_secret_value()) is not None


async def test_rotated_refresh_token_is_durable_before_the_access_token_is_used(
    emu: DatevEmulator,
    vault: Vault,
    tokens: DatevTokenService,
    endpoints: DatevEndpoints,
    http: httpx.AsyncClient,
    data_dir: Path,
    vault_key: object,
) -> None:
    calls_at_store: list[int] = []
    real_commit = vault_module._commit_file

    def observing_commit(tmp: Path, path: Path) -> None:
        real_commit(tmp, path)
        calls_at_store.append(len(emu.state.api_calls))

    vault_module._commit_file = observing_commit
    try:
        token = await tokens.fresh_access_token()
    finally:
        vault_module._commit_file = real_commit
    # A second Vault object reads the file from disk: the new token is already there ...
    on_disk = Vault(vault.path, [vault_key]).read().datev_refresh  # type: ignore[list-item]
    live = [t for t, e in emu.auth.refresh.items() if not e.used]
    assert on_disk is not None and on_disk.token.get_secret_value() == live[0]
    # ... and it was stored before any API call was made with the new access token.
    assert calls_at_store == [0]
    await DatevClient(http, endpoints, emu.oauth_client_id, token).list_clients()
    assert len(emu.state.api_calls) == 1


async def test_crash_between_receiving_and_storing_never_uses_the_token_or_tears_the_vault(
    emu: DatevEmulator,
    vault: Vault,
    tokens: DatevTokenService,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = vault.read().datev_refresh

    def crash(tmp: Path, path: Path) -> None:
        raise SystemExit("simulated crash while storing the rotated refresh token")

    monkeypatch.setattr(vault_module, "_commit_file", crash)
    with pytest.raises(SystemExit):
        await tokens.fresh_access_token()
    monkeypatch.undo()

    assert emu.auth.refresh_grants == 1  # DATEV rotated ...
    assert emu.state.api_calls == []  # ... but the new access token was never used
    assert vault.read().datev_refresh == before  # the vault still decrypts to the old state
    # After the restart the lost rotation shows as the actionable state, not as corruption:
    with pytest.raises(DatevLoginExpired) as info:
        await service(emu, vault, http).fresh_access_token()
    assert str(info.value).startswith(EXPIRED_MESSAGE)


async def test_crash_after_storing_loses_nothing(
    emu: DatevEmulator, vault: Vault, tokens: DatevTokenService, http: httpx.AsyncClient
) -> None:
    await tokens.fresh_access_token()  # the process "dies" right after this returns
    restarted = service(emu, vault, http)
    token = await restarted.fresh_access_token()
    assert emu.auth.check_access(token.value.get_secret_value()) is not None


async def test_concurrent_refreshes_are_single_flight_across_vault_instances(
    emu: DatevEmulator,
    vault: Vault,
    tokens: DatevTokenService,
    http: httpx.AsyncClient,
    vault_key: object,
) -> None:
    other_process = service(emu, Vault(vault.path, [vault_key]), http)  # type: ignore[list-item]
    results = await asyncio.gather(
        tokens.fresh_access_token(),
        other_process.fresh_access_token(),
        tokens.fresh_access_token(),
        other_process.fresh_access_token(),
    )
    assert len({r.value.get_secret_value() for r in results}) == 4
    assert emu.auth.refresh_grants == 4
    assert emu.auth.live_refresh_tokens() == 1


@pytest.mark.parametrize("how", ["expire", "revoke"])
async def test_expired_or_revoked_login_is_the_actionable_message(
    emu: DatevEmulator, tokens: DatevTokenService, how: str
) -> None:
    if how == "expire":
        emu.auth.expire_refresh_tokens()
    else:
        emu.auth.revoke_refresh_tokens()
    with pytest.raises(DatevLoginExpired) as info:
        await tokens.fresh_access_token()
    assert str(info.value).startswith(EXPIRED_MESSAGE)
    assert not info.value.retryable


async def test_locally_known_expiry_needs_no_network(
    emu: DatevEmulator, vault: Vault, tokens: DatevTokenService, http: httpx.AsyncClient
) -> None:
    later = datetime.now(UTC) + timedelta(days=800)
    urls = emu.settings_urls()
    future = DatevTokenService(vault, http, urls["authorize_url"], urls["token_url"], lambda: later)
    with pytest.raises(DatevLoginExpired, match="expired at"):
        await future.fresh_access_token()
    assert emu.auth.refresh_grants == 0
