"""Interactive DATEV login (authorization code + PKCE) against the emulator over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from adapters.datev.errors import DatevLoginFailed
from adapters.datev.login import (
    finish_login,
    login_with_loopback,
    login_with_paste,
    loopback_parts,
    with_windows_sso,
)
from adapters.datev.oauth import OAuthConfig, begin_login, code_from_redirect, exchange_code
from adapters.datev.tokens import oauth_config
from adapters.vault import DatevCredentials, Vault
from emulators.datev import DatevEmulator, run_datev_emulator

from .conftest import Browser


async def test_full_pkce_login_through_the_loopback_listener(
    emu: DatevEmulator,
    vault: Vault,
    http: httpx.AsyncClient,
    config: OAuthConfig,
    browser: Browser,
) -> None:
    seen: list[str] = []

    async def recording_browser(url: str) -> None:
        seen.append(url)
        await browser(url)

    outcome = await login_with_loopback(http, config, vault, recording_browser, port=0)

    query = parse_qs(urlsplit(seen[0]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43 and query["state"][0] and query["nonce"][0]
    assert "offline_access" in query["scope"][0].split()
    stored = vault.read().datev_refresh
    assert stored is not None and stored.generation == 1
    assert emu.auth.live_refresh_tokens() == 1
    assert stored.token.get_secret_value() in emu.auth.refresh
    assert "offline_access" in outcome.scope
    assert outcome.refresh_expires_at is not None


async def test_denied_consent_gives_a_clear_message(
    emu: DatevEmulator,
    vault: Vault,
    http: httpx.AsyncClient,
    config: OAuthConfig,
    browser: Browser,
) -> None:
    emu.faults.deny_consent = True
    with pytest.raises(DatevLoginFailed, match="consent was denied"):
        await login_with_loopback(http, config, vault, browser, port=0)
    assert vault.read().datev_refresh is None


async def _authorize(http: httpx.AsyncClient, url: str) -> str:
    """Follow the authorize URL like a browser whose redirect target is unreachable."""
    resp = await http.get(url, follow_redirects=False)
    assert resp.status_code == 302
    return resp.headers["Location"]


async def test_paste_back_login(
    emu: DatevEmulator, vault: Vault, http: httpx.AsyncClient, config: OAuthConfig
) -> None:
    shown: list[str] = []

    async def read_redirect() -> str:
        return await _authorize(http, shown[0])

    await login_with_paste(
        http,
        config,
        vault,
        shown.append,
        read_redirect,
        redirect_uri="http://127.0.0.1:1/callback",
    )
    assert vault.read().datev_refresh is not None


async def test_wrong_state_is_refused(
    vault: Vault, http: httpx.AsyncClient, config: OAuthConfig
) -> None:
    request = begin_login(config, "http://127.0.0.1:1/callback")
    redirected = await _authorize(http, request.url)
    forged = redirected.replace(f"state={request.state}", "state=forged")
    with pytest.raises(DatevLoginFailed, match="'state' in the redirect does not match"):
        await finish_login(http, config, vault, request, forged)


async def test_wrong_pkce_verifier_is_invalid_grant(
    http: httpx.AsyncClient, config: OAuthConfig
) -> None:
    request = begin_login(config, "http://127.0.0.1:1/callback")
    code = code_from_redirect(await _authorize(http, request.url), request)
    other = begin_login(config, request.redirect_uri)  # different verifier
    with pytest.raises(DatevLoginFailed, match=r"invalid_grant.*PKCE"):
        await exchange_code(http, config, other, code)


async def test_expired_and_reused_codes_are_refused(
    emu: DatevEmulator, http: httpx.AsyncClient, config: OAuthConfig
) -> None:
    request = begin_login(config, "http://127.0.0.1:1/callback")
    code = code_from_redirect(await _authorize(http, request.url), request)
    emu.clock.advance(120)
    with pytest.raises(DatevLoginFailed, match="expired"):
        await exchange_code(http, config, request, code)

    request = begin_login(config, "http://127.0.0.1:1/callback")
    code = code_from_redirect(await _authorize(http, request.url), request)
    await exchange_code(http, config, request, code)
    with pytest.raises(DatevLoginFailed, match="already used"):
        await exchange_code(http, config, request, code)


async def test_id_token_nonce_is_checked(http: httpx.AsyncClient, config: OAuthConfig) -> None:
    request = begin_login(config, "http://127.0.0.1:1/callback")
    code = code_from_redirect(await _authorize(http, request.url), request)
    replayed = type(request)(
        request.url, request.redirect_uri, request.state, "another-nonce", request.code_verifier
    )
    with pytest.raises(DatevLoginFailed, match="nonce"):
        await exchange_code(http, config, replayed, code)


async def test_the_emulator_redirects_only_to_a_registered_uri(
    http: httpx.AsyncClient, vault: Vault
) -> None:
    registered = "https://connector.example.com/datev/callback"
    async with run_datev_emulator(redirect_uris=[registered], loopback_any_port=False) as emu:
        vault.set_datev(
            DatevCredentials(
                client_id=emu.oauth_client_id, client_secret=SecretStr(emu.oauth_client_secret)
            )
        )
        urls = emu.settings_urls()
        config = with_windows_sso(
            oauth_config(vault, urls["authorize_url"], urls["token_url"]), enabled=True
        )
        for wrong in (
            "http://127.0.0.1:8788/callback",  # production: no loopback leniency
            "https://connector.example.com/datev/callback/",  # not the exact string
            "https://evil.example.com/datev/callback",
        ):
            resp = await http.get(begin_login(config, wrong).url, follow_redirects=False)
            assert resp.status_code == 400 and "not registered" in resp.text
        request = begin_login(config, registered)
        resp = await http.get(request.url, follow_redirects=False)
        assert resp.status_code == 302 and resp.headers["location"].startswith(registered + "?")
        assert emu.auth.last_authorize["enableWindowsSso"] == "true"
        outcome = await finish_login(http, config, vault, request, resp.headers["location"])
        assert outcome.generation >= 1


def test_loopback_redirect_uris_are_recognised() -> None:
    assert loopback_parts("http://127.0.0.1:8788/callback") == ("127.0.0.1", 8788, "/callback")
    assert loopback_parts("https://connector.example.com/cb") is None
    # port 0 asks for any free port: it must not become http's default 80 (taken, or root only)
    assert loopback_parts("http://127.0.0.1:0/callback") == ("127.0.0.1", 0, "/callback")
    assert loopback_parts("http://localhost/cb") == ("localhost", 80, "/cb")
