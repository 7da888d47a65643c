"""``ml-connector init`` non-interactively against both emulators, with the real DATEV login."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.config_files import load_and_check
from adapters.vault import Vault
from emulators.datev import demo_client, run_datev_emulator
from emulators.datev.server import DatevEmulator
from emulators.procore import run_procore_emulator
from emulators.procore.runner import ProcoreEmulator
from streams.bootstrap import build_procore, open_vault
from streams.config.settings import DatevSettings, ProcoreSettings, load_settings
from streams.errors import ConnectorError
from streams.setup.wizard import InitOptions, run_init

ADVISOR, CLIENT = 29098, 55003


@dataclass
class BrowserUi:
    """Plays the tax advisor's browser: follows the emulator's auto-consent redirect."""

    http: httpx.AsyncClient
    said: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.said.append(text)

    def choose(self, question: str, options: Sequence[str], *, many: bool = False) -> list[int]:
        raise ConnectorError(f"unexpected question: {question}")

    async def open_url(self, url: str) -> None:
        resp = await self.http.get(url, follow_redirects=True)
        assert resp.status_code == 200, resp.text

    async def read_redirect(self) -> str:
        raise AssertionError("the loopback login never asks for a pasted URL")


@dataclass
class Systems:
    procore: ProcoreEmulator
    datev: DatevEmulator
    ui: BrowserUi


@pytest.fixture
async def systems() -> AsyncIterator[Systems]:
    async with (
        run_procore_emulator(seed=7, size="small") as procore,
        run_datev_emulator(clients=[demo_client(ADVISOR, CLIENT)]) as datev,
        httpx.AsyncClient(timeout=10) as http,
    ):
        yield Systems(procore, datev, BrowserUi(http))


def options(s: Systems, tmp_path: Path, **overrides: object) -> InitOptions:
    opts = InitOptions(
        settings_path=tmp_path / "conf" / "ml-connector.toml",
        data_dir=tmp_path / "data",
        procore=ProcoreSettings(
            base_url=s.procore.base_url,
            auth_url=s.procore.auth_url,
            company_ids=[s.procore.company_id],
            client_id=s.procore.client_id,
        ),
        procore_client_secret=SecretStr(s.procore.client_secret),
        datev=DatevSettings(**s.datev.settings_urls()),
        datev_client_id=s.datev.oauth_client_id,
        datev_client_secret=SecretStr(s.datev.oauth_client_secret),
        redirect_port=0,
        login_timeout_s=10,
    )
    for name, value in overrides.items():
        setattr(opts, name, value)
    return opts


async def test_init_writes_key_settings_and_a_mapping_that_passes_the_check(
    systems: Systems, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opts = options(systems, tmp_path)
    result = await run_init(opts, systems.ui)

    assert result.ok, result.problems
    key_file = tmp_path / "data" / "vault.key"
    assert result.key_created and result.key_file == key_file.resolve()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The login went through the loopback listener and left a refresh token in the vault.
    vault = Vault.open(opts.data_dir, None, key_file)
    secrets = vault.read()
    assert secrets.datev_refresh is not None
    assert secrets.procore is not None and secrets.procore.client_id == systems.procore.client_id
    # Discovery saw what the emulator has.
    (company,) = result.companies
    assert {pid for pid, _ in company.projects} == set(systems.procore.project_ids())
    assert [(c.advisor_number, c.client_number) for c in result.datev_clients] == [
        (ADVISOR, CLIENT)
    ]
    # No secret value anywhere in the settings file.
    text = opts.settings_path.read_text()
    for secret in (
        systems.procore.client_secret,
        systems.datev.oauth_client_secret,
        secrets.datev_refresh.token.get_secret_value(),
        *key_file.read_text().split(),
    ):
        assert secret not in text
    # The mapping passes the same check as `ml-connector mapping check`.
    (mapping,) = result.mappings
    assert mapping.name == f"mapping-{ADVISOR}-{CLIENT}.toml"
    parsed, _chart, problems = load_and_check(mapping)
    assert problems == [] and parsed is not None
    assert parsed.procore.company_id == systems.procore.company_id
    # The written settings file is what the worker and doctor load.
    monkeypatch.setenv("MLC_CONFIG", str(opts.settings_path))
    settings = load_settings()
    assert settings.mappings == [mapping.resolve()]
    assert settings.vault.key_file == key_file.resolve()
    procore = build_procore(settings, open_vault(settings))
    assert procore is not None
    await procore.aclose()


async def test_rerun_refuses_to_overwrite_and_force_keeps_the_vault_key(
    systems: Systems, tmp_path: Path
) -> None:
    opts = options(systems, tmp_path)
    await run_init(opts, systems.ui)
    key_file = tmp_path / "data" / "vault.key"
    key = key_file.read_text()
    settings_before = opts.settings_path.read_text()

    with pytest.raises(ConnectorError, match=r"already exists; nothing was changed.*--force"):
        await run_init(options(systems, tmp_path, skr="04"), systems.ui)
    assert opts.settings_path.read_text() == settings_before

    forced = await run_init(
        options(systems, tmp_path, skr="04", force=True, datev_login=False), systems.ui
    )
    assert not forced.key_created
    assert key_file.read_text() == key  # the vault key survives --force
    assert forced.ok, forced.problems
    assert tomllib.loads(forced.mappings[0].read_text())["client"]["skr"] == "04"


async def test_unknown_datev_client_is_refused_with_the_visible_ones(
    systems: Systems, tmp_path: Path
) -> None:
    opts = options(systems, tmp_path, advisor_number=1, client_number=2)
    with pytest.raises(ConnectorError, match=rf"not visible.*{ADVISOR}/{CLIENT}"):
        await run_init(opts, systems.ui)
    assert not opts.settings_path.exists()


async def test_wrong_procore_secret_names_the_flag(systems: Systems, tmp_path: Path) -> None:
    opts = options(systems, tmp_path, procore_client_secret=SecretStr("wrong-secret"))
    with pytest.raises(ConnectorError, match="--procore-client-secret"):
        await run_init(opts, systems.ui)


@dataclass
class PasteUi(BrowserUi):
    """The advisor's browser for a registered https redirect URI: the URL is pasted back."""

    shown: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        super().say(text)
        self.shown += [w for w in text.split() if w.startswith("http")]

    async def read_redirect(self) -> str:
        resp = await self.http.get(self.shown[-1], follow_redirects=False)
        assert resp.status_code == 302, resp.text
        return resp.headers["location"]


async def test_init_logs_in_with_the_configured_redirect_uri_and_windows_sso(
    tmp_path: Path,
) -> None:
    registered = "https://connector.example.com/datev/callback"
    async with (
        run_procore_emulator(seed=7, size="small") as procore,
        run_datev_emulator(
            clients=[demo_client(ADVISOR, CLIENT)], redirect_uris=[registered],
            loopback_any_port=False,
        ) as datev,
        httpx.AsyncClient(timeout=10) as http,
    ):  # fmt: skip
        ui = PasteUi(http)
        opts = options(Systems(procore, datev, ui), tmp_path)
        opts.datev = DatevSettings(
            **datev.settings_urls(), redirect_uri=registered, enable_windows_sso=True
        )
        result = await run_init(opts, ui)
        assert result.ok, result.problems
        assert datev.auth.last_authorize["redirect_uri"] == registered
        assert datev.auth.last_authorize["enableWindowsSso"] == "true"
        assert Vault.open(opts.data_dir, None, result.key_file).read().datev_refresh is not None
