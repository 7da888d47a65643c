"""EXTF jobs over real HTTP: submit, poll, failures, duplicates, faults."""

from __future__ import annotations

import hashlib

import httpx
import orjson
import pytest

from adapters.datev.client import DatevClient
from adapters.datev.errors import DatevDuplicateFile, DatevServerError
from adapters.datev.polling import PollPolicy
from emulators.datev import DatevEmulator
from tests.unit.datev.extf_samples import booking, creditor, creditor_file, extf_file

CLIENT = "455148-1"
NAME = "EXTF_Procore_455148-1_2026-01_0001.csv"
FAST = PollPolicy(first_delay_s=1, max_delay_s=8, max_gets=5)


async def test_submit_poll_succeeds_and_bookings_are_in_datev(
    emu: DatevEmulator, api: DatevClient
) -> None:
    emu.faults.job_delay_s = 5
    data = extf_file([booking(), booking(amount="200,00", konto="70013", belegfeld1="RE-7")])
    submitted = await api.submit_extf(CLIENT, NAME, data, "batch 0001")
    assert submitted.retry_after_s == 5 and not submitted.already_submitted

    result = await api.poll_job(CLIENT, submitted.job_id, FAST, submitted.retry_after_s)

    assert result.status == "succeeded", result.messages
    assert result.number_of_accounting_records == 2
    assert result.gets_used == emu.state.gets_for_job(submitted.job_id) <= FAST.max_gets
    stored = emu.state.bookings(CLIENT)
    assert [(b["amount"], b["konto"], b["belegfeld1"]) for b in stored] == [
        ("1190.00", "70012", "RE-2026-0042"),
        ("200.00", "70013", "RE-7"),
    ]


async def test_creditor_master_file_lands_in_datev(emu: DatevEmulator, api: DatevClient) -> None:
    sub = await api.submit_extf(
        CLIENT, "EXTF_Kreditoren_0001.csv", creditor_file([creditor()]), "k1"
    )
    assert (await api.poll_job(CLIENT, sub.job_id, FAST)).status == "succeeded"
    assert emu.state.creditors(CLIENT)[0]["name"] == "Rohbau Müller GmbH"


async def test_failed_job_surfaces_datevs_messages(emu: DatevEmulator, api: DatevClient) -> None:
    data = extf_file([booking(gegenkonto="3106", bu="9")])  # BU key on an automatic account
    sub = await api.submit_extf(CLIENT, NAME, data, "batch 0001")
    result = await api.poll_job(CLIENT, sub.job_id, FAST)
    assert result.status == "failed"
    assert any("automatic account 3106" in m and "BU-Schlüssel" in m for m in result.messages)
    assert result.validation_details is not None
    assert result.validation_details.code == "REW00305"
    assert emu.state.bookings(CLIENT) == []


async def test_fault_switch_fails_jobs(emu: DatevEmulator, api: DatevClient) -> None:
    emu.faults.fail_jobs = True
    sub = await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "b")
    result = await api.poll_job(CLIENT, sub.job_id, FAST)
    assert result.status == "failed"
    assert emu.faults.fail_message in result.messages


async def test_identical_resubmission_is_already_done(emu: DatevEmulator, api: DatevClient) -> None:
    emu.faults.reject_duplicate_filenames = True  # not DATEV's documented behaviour: a fault
    data = extf_file([booking()])
    first = await api.submit_extf(CLIENT, NAME, data, "batch 0001")
    await api.poll_job(CLIENT, first.job_id, FAST)
    again = await api.submit_extf(CLIENT, NAME, data, "batch 0001")
    assert again.already_submitted and again.job_id == first.job_id
    assert len(emu.state.bookings(CLIENT)) == 1  # not doubled


async def test_different_content_under_the_same_name_is_an_error(
    emu: DatevEmulator, api: DatevClient
) -> None:
    emu.faults.reject_duplicate_filenames = True
    await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "batch 0001")
    with pytest.raises(DatevDuplicateFile, match="different file named") as info:
        await api.submit_extf(CLIENT, NAME, extf_file([booking(amount="1,00")]), "batch 0001")
    assert not info.value.retryable


async def test_documented_default_every_upload_is_a_job_and_find_job_tells_them_apart(
    emu: DatevEmulator, api: DatevClient
) -> None:
    data = extf_file([booking()])
    first = await api.submit_extf(CLIENT, NAME, data, "b.bookings.1")
    second = await api.submit_extf(CLIENT, NAME, data, "b.bookings.2")
    assert first.job_id != second.job_id and not second.already_submitted
    sha = hashlib.sha256(data).hexdigest()
    found = await api.find_job(CLIENT, "b.bookings.1", NAME, sha)
    assert found is not None and found.id == first.job_id
    assert await api.find_job(CLIENT, "b.bookings.3", NAME, sha) is None
    assert await api.find_job(CLIENT, "b.bookings.1", NAME, "0" * 64) is None
    listed = emu.state.client_jobs(CLIENT)
    assert all(j.client_application_version.startswith("ml-connector") for j in listed)


async def test_find_job_pages_through_a_long_job_list(emu: DatevEmulator, api: DatevClient) -> None:
    data = extf_file([booking()])
    for n in range(120):
        await api.submit_extf(CLIENT, f"EXTF_{n}.csv", data, f"r.{n}")
    before = len(emu.state.api_calls)
    found = await api.find_job(CLIENT, "r.3", "EXTF_3.csv", hashlib.sha256(data).hexdigest())
    assert found is not None
    assert len(emu.state.api_calls) - before == 2  # two pages of at most 100


async def test_resubmission_after_a_failed_job_is_allowed(
    emu: DatevEmulator, api: DatevClient
) -> None:
    bad = await api.submit_extf(CLIENT, NAME, extf_file([booking(sh="X")]), "b")
    assert (await api.poll_job(CLIENT, bad.job_id, FAST)).status == "failed"
    good = await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "b")
    assert not good.already_submitted and good.job_id != bad.job_id


async def test_slow_job_stays_pending_within_the_get_budget(
    emu: DatevEmulator, api: DatevClient
) -> None:
    emu.faults.job_delay_s = 3600
    sub = await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "b")
    result = await api.poll_job(CLIENT, sub.job_id, FAST)
    assert result.status == "pending"
    assert result.gets_used == emu.state.gets_for_job(sub.job_id) == FAST.max_gets


async def test_poll_honours_retry_after_and_rides_out_5xx(
    emu: DatevEmulator, api: DatevClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        emu.clock.advance(seconds)

    monkeypatch.setattr(api, "_sleep", recording_sleep)
    sub = await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "b")
    emu.faults.rate_limits, emu.faults.retry_after_s = 1, 30
    emu.faults.server_errors = 1
    result = await api.poll_job(CLIENT, sub.job_id, FAST)
    assert result.status == "succeeded"
    assert sleeps[1] >= 30  # the wait after the 429 honours Retry-After over the 8 s cap
    assert all(s <= FAST.max_delay_s * 1.2 for i, s in enumerate(sleeps) if i != 1)


async def test_5xx_on_submit_is_retryable_and_a_retry_is_safe(
    emu: DatevEmulator, api: DatevClient
) -> None:
    emu.faults.server_errors = 1
    data = extf_file([booking()])
    with pytest.raises(DatevServerError) as info:
        await api.submit_extf(CLIENT, NAME, data, "b")
    assert info.value.retryable
    sub = await api.submit_extf(CLIENT, NAME, data, "b")
    assert (await api.poll_job(CLIENT, sub.job_id, FAST)).status == "succeeded"


async def test_requests_without_the_client_id_header_are_refused(
    emu: DatevEmulator, http: httpx.AsyncClient
) -> None:
    url = emu.settings_urls()["extf_base_url"] + f"/clients/{CLIENT}/extf-files/jobs"
    resp = await http.get(url, headers={"Authorization": "Bearer whatever"})
    assert resp.status_code == 401
    assert "X-DATEV-Client-Id" in orjson.loads(resp.content)["detail"]


async def test_admin_endpoint_sets_faults_and_shows_state(
    emu: DatevEmulator, api: DatevClient, http: httpx.AsyncClient
) -> None:
    resp = await http.post(f"{emu.base_url}/_emulator/faults", content=b'{"fail_jobs": true}')
    assert resp.status_code == 200 and emu.faults.fail_jobs
    sub = await api.submit_extf(CLIENT, NAME, extf_file([booking()]), "b")
    await api.poll_job(CLIENT, sub.job_id, FAST)
    state = orjson.loads((await http.get(f"{emu.base_url}/_emulator/state")).content)
    assert state["clients"][CLIENT]["jobs"][0]["result"] == "failed"
    bad = await http.post(f"{emu.base_url}/_emulator/faults", content=b'{"nope": 1}')
    assert bad.status_code == 400
