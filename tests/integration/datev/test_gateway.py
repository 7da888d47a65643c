"""The stages' DATEV gateway: one token for all, single-flight refresh, 401, login pause."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.datev.errors import DatevClientRejected, DatevLoginExpired
from adapters.datev.login import login_with_loopback
from adapters.datev.login_state import LOGIN_NEEDED, read_login_state
from adapters.datev.oauth import OAuthConfig
from adapters.datev.tokens import DatevTokenService
from adapters.vault import DatevCredentials, Vault
from emulators.datev import DatevEmulator
from streams.config.settings import DatevSettings
from streams.stages import datev_gateway
from streams.stages.datev_gateway import DatevGateway
from tests.integration.datev.conftest import Browser
from tests.support.fakes import SetClock

CLIENT = "455148-1"


@pytest.fixture
def clock() -> SetClock:
    return SetClock()


@pytest.fixture
def gateway(
    emu: DatevEmulator,
    vault: Vault,
    http: httpx.AsyncClient,
    tokens: DatevTokenService,
    clock: SetClock,
) -> DatevGateway:
    return DatevGateway(DatevSettings(**emu.settings_urls()), vault, http, clock=clock)


async def test_concurrent_callers_share_one_refresh_and_reuse_the_token(
    emu: DatevEmulator, gateway: DatevGateway
) -> None:
    async def one_call() -> int:
        async with gateway.session("batch:x") as api:
            return len(await api.list_clients())

    assert await asyncio.gather(one_call(), one_call(), one_call()) == [1, 1, 1]
    assert emu.auth.refresh_grants == 1  # three callers, one token call
    async with gateway.session("documents") as api:
        await api.document_types(CLIENT)
    assert emu.auth.refresh_grants == 1  # still fresh: no refresh at all


async def test_a_401_on_the_cached_token_mints_once_and_retries(
    emu: DatevEmulator, gateway: DatevGateway
) -> None:
    async with gateway.session() as api:
        await api.list_clients()
    emu.auth.access.clear()  # DATEV forgot every access token (e.g. revoked server-side)
    async with gateway.session() as api:
        types = await api.document_types(CLIENT)
    assert types and emu.auth.refresh_grants == 2
    unauthorized = [c for c in emu.state.api_calls if c[1].endswith("/document-types")]
    assert len(unauthorized) == 2  # one 401, one retry that worked


async def test_rejected_refresh_token_pauses_with_capped_backoff_and_a_new_login_resumes(
    emu: DatevEmulator,
    gateway: DatevGateway,
    clock: SetClock,
    http: httpx.AsyncClient,
    config: OAuthConfig,
    vault: Vault,
    browser: Browser,
    data_dir: Path,
) -> None:
    emu.auth.revoke_refresh_tokens()
    with pytest.raises(DatevLoginExpired):
        async with gateway.session():
            pass
    assert gateway.login_problem is not None and gateway.login_problem.startswith(LOGIN_NEEDED)
    recorded = read_login_state(data_dir)
    assert recorded is not None and recorded.problem == "login"
    assert not gateway.may_call()
    grants_tried = emu.auth.refresh_grants
    delays = []
    for _ in range(10):  # each time the pause runs out, one token call; the pause doubles
        clock.now = gateway.pause.until
        assert gateway.may_call()
        with pytest.raises(DatevLoginExpired):
            async with gateway.session():
                pass
        delays.append(gateway.pause.until - clock.now)
    assert delays[0] == 2 * datev_gateway.PAUSE_FIRST_S and max(delays) == datev_gateway.PAUSE_MAX_S
    assert emu.auth.refresh_grants == grants_tried  # none succeeded
    await login_with_loopback(http, config, vault, browser, port=0)
    assert read_login_state(data_dir) is None  # the login cleared the recorded problem
    assert gateway.may_call()  # the vault changed: the pause ends at once
    async with gateway.session() as api:
        await api.list_clients()
    assert gateway.login_problem is None


async def test_wrong_app_secret_pauses_and_fixed_credentials_resume(
    emu: DatevEmulator, gateway: DatevGateway, vault: Vault, clock: SetClock, data_dir: Path
) -> None:
    emu.auth.client_secret = "rotated-at-datev"
    with pytest.raises(DatevClientRejected):
        async with gateway.session():
            pass
    assert gateway.login_problem is not None and "datev credentials" in gateway.login_problem
    recorded = read_login_state(data_dir)
    assert recorded is not None and recorded.problem == "credentials"
    assert not gateway.may_call()
    clock.now += 0.5  # a moment later the operator stores the new secret
    vault.set_datev(
        DatevCredentials(client_id=emu.oauth_client_id, client_secret=SecretStr("rotated-at-datev"))
    )
    assert gateway.may_call()
    async with gateway.session() as api:
        await api.list_clients()
    assert gateway.login_problem is None and read_login_state(data_dir) is None
