"""Fixtures: a DATEV emulator on loopback, a vault in tmp_path, a logged-in token service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.login import login_with_loopback
from adapters.datev.oauth import OAuthConfig
from adapters.datev.tokens import DatevTokenService, oauth_config
from adapters.vault import VAULT_FILE, DatevCredentials, Vault, generate_key
from emulators.datev import DatevEmulator, EmulatorClock, run_datev_emulator

Browser = Callable[[str], Awaitable[None]]


@pytest.fixture
async def emu() -> AsyncIterator[DatevEmulator]:
    async with run_datev_emulator(clock=EmulatorClock()) as emulator:
        yield emulator


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def vault_key() -> SecretStr:
    return generate_key()


@pytest.fixture
def vault(data_dir: Path, vault_key: SecretStr, emu: DatevEmulator) -> Vault:
    v = Vault(data_dir / VAULT_FILE, [vault_key])
    v.set_datev(
        DatevCredentials(
            client_id=emu.oauth_client_id, client_secret=SecretStr(emu.oauth_client_secret)
        )
    )
    return v


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10.0) as client:
        yield client


@pytest.fixture
def browser(http: httpx.AsyncClient) -> Browser:
    """A stand-in for the user's browser: follows the authorize redirect to the listener."""

    async def open_url(url: str) -> None:
        resp = await http.get(url, follow_redirects=True)
        resp.raise_for_status()

    return open_url


@pytest.fixture
def config(emu: DatevEmulator, vault: Vault) -> OAuthConfig:
    urls = emu.settings_urls()
    return oauth_config(vault, urls["authorize_url"], urls["token_url"])


@pytest.fixture
async def tokens(
    emu: DatevEmulator,
    vault: Vault,
    http: httpx.AsyncClient,
    config: OAuthConfig,
    browser: Browser,
) -> DatevTokenService:
    await login_with_loopback(http, config, vault, browser, port=0)
    urls = emu.settings_urls()
    return DatevTokenService(vault, http, urls["authorize_url"], urls["token_url"])


@pytest.fixture
def endpoints(emu: DatevEmulator) -> DatevEndpoints:
    u = emu.settings_urls()
    return DatevEndpoints(u["extf_base_url"], u["documents_base_url"], u["clients_base_url"])


@pytest.fixture
async def api(
    emu: DatevEmulator,
    tokens: DatevTokenService,
    http: httpx.AsyncClient,
    endpoints: DatevEndpoints,
) -> DatevClient:
    token = await tokens.fresh_access_token()
    return DatevClient(http, endpoints, emu.oauth_client_id, token, sleep=emu.clock.sleep)
