"""Client-credentials auth against the emulator: refresh before expiry, shared refresh, 401."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from adapters.procore.errors import MissingCompanyContext, ProcoreAuthError
from emulators.procore import run_procore_emulator
from tests.integration.procore.conftest import client_for
from tests.support.fakes import ManualClock


async def test_token_is_renewed_at_80_percent_of_expires_in_without_any_401() -> None:
    clock = ManualClock()
    async with run_procore_emulator(clock=clock, token_ttl_s=100) as emu, client_for(emu) as client:
        await client.list_companies(emu.company_id)
        clock.advance(79)
        await client.list_companies(emu.company_id)
        assert emu.counters.token_requests == 1
        clock.advance(2)  # 81 s: past 80 % of 100 s, before expiry
        await client.list_companies(emu.company_id)
        assert emu.counters.token_requests == 2
        assert emu.counters.by_status[401] == 0


async def test_expired_token_is_rejected_by_the_emulator_with_401() -> None:
    clock = ManualClock()
    async with (
        run_procore_emulator(clock=clock, token_ttl_s=60) as emu,
        httpx.AsyncClient() as http,
    ):
        form = {
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        }
        token = (await http.post(f"{emu.base_url}/oauth/token", data=form)).json()
        assert token["expires_in"] == 60 and token["token_type"] == "bearer"
        headers = {
            "Authorization": f"Bearer {token['access_token']}",
            "Procore-Company-Id": str(emu.company_id),
        }
        ok = await http.get(f"{emu.base_url}/rest/v1.0/companies", headers=headers)
        assert ok.status_code == 200
        clock.advance(60)
        expired = await http.get(f"{emu.base_url}/rest/v1.0/companies", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["error_description"]


async def test_concurrent_calls_share_one_token_request() -> None:
    clock = ManualClock()
    async with (
        run_procore_emulator(clock=clock, token_ttl_s=1000) as emu,
        client_for(emu) as client,
    ):
        calls = [client.list_companies(emu.company_id) for _ in range(20)]
        await asyncio.gather(*calls)
        assert emu.counters.token_requests == 1
        clock.advance(850)
        await asyncio.gather(*[client.list_companies(emu.company_id) for _ in range(20)])
        assert emu.counters.token_requests == 2
        assert client.tokens.requests == 2


async def test_unexpected_401_fetches_a_new_token_once_and_retries(emu, client) -> None:
    await client.list_companies(emu.company_id)
    for token in emu.ctx.tokens:  # revoke server-side, as an admin uninstall/reinstall would
        emu.ctx.tokens[token] = emu.clock.now()
    companies = await client.list_companies(emu.company_id)
    assert companies[0].id == emu.company_id
    assert emu.counters.token_requests == 2
    assert emu.counters.by_status[401] == 1


async def test_wrong_secret_is_a_typed_auth_error_without_the_secret(emu) -> None:
    async with client_for(emu, client_secret="wrong-secret-123") as client:
        with pytest.raises(ProcoreAuthError) as caught:
            await client.list_companies(emu.company_id)
    assert caught.value.status == 401
    assert not caught.value.retryable
    assert "wrong-secret-123" not in str(caught.value)
    assert "wrong-secret-123" not in repr(client.tokens)


async def test_client_refuses_to_send_without_a_company(emu, client) -> None:
    with pytest.raises(MissingCompanyContext):
        await client.get_json("/rest/v1.0/companies", company_id=None)
    with pytest.raises(MissingCompanyContext):  # downloads too: no default-none path
        [c async for c in client.stream("/rest/v1.0/companies", company_id=None)]
    assert emu.counters.api_calls() == 0


async def test_emulator_rejects_a_request_without_the_company_header(emu, client) -> None:
    token = await client.tokens.token()
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{emu.base_url}/rest/v1.0/companies", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 400
    assert response.json()["message"] == "Missing Procore-Company-Id header!"


@pytest.mark.parametrize("client_auth", ["form", "basic"])
async def test_token_endpoint_accepts_form_body_and_http_basic(client_auth: str) -> None:
    async with (
        run_procore_emulator(clock=ManualClock()) as emu,
        client_for(emu, client_auth=client_auth) as client,
    ):
        await client.list_companies(emu.company_id)
        assert emu.counters.token_requests == 1 and emu.counters.by_status[401] == 0


async def test_basic_client_auth_with_a_wrong_secret_is_invalid_client() -> None:
    async with (
        run_procore_emulator(clock=ManualClock()) as emu,
        httpx.AsyncClient() as http,
    ):
        wrong = httpx.BasicAuth(emu.client_id, "not-the-secret")
        answer = await http.post(
            f"{emu.base_url}/oauth/token", data={"grant_type": "client_credentials"}, auth=wrong
        )
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
        right = httpx.BasicAuth(emu.client_id, emu.client_secret)
        answer = await http.post(
            f"{emu.base_url}/oauth/token", data={"grant_type": "client_credentials"}, auth=right
        )
        assert answer.status_code == 200 and answer.json()["token_type"] == "bearer"
