"""DXSO jobs (DATEV XML interface online) against the emulator: states 0–6, protocol entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from adapters.datev.client import DatevClient
from adapters.datev.dxso import DxsoJobs
from adapters.datev.errors import DatevValidationFailed
from domain.dxso import PayableInvoice, dxso_files
from emulators.datev import DatevEmulator

CLIENT = "455148-1"
PDF = b"%PDF-1.4\n%%EOF\n"


def invoices() -> list[PayableInvoice]:
    return [
        PayableInvoice(
            invoice_id=f"RE-2026-{n}",
            invoice_date=date(2026, 11, n),
            amount=Decimal("1190.00") * n,
            account=3100,
            bu_code="9",
            creditor=70000 + n,
            supplier_name=f"Rohbau {n} GmbH",
            booking_text=f"Abschlag {n} Rohbau",
            pdf_name=f"RE-2026-{n}.pdf",
            cost_center="P-20252",
        )
        for n in (1, 2)
    ]


@pytest.fixture
def dxso(emu: DatevEmulator, api: DatevClient) -> DxsoJobs:
    return DxsoJobs(api, emu.settings_urls()["dxso_base_url"])


async def test_two_payable_invoices_with_pdfs_reach_state_2(
    emu: DatevEmulator, dxso: DxsoJobs
) -> None:
    invs = invoices()
    files = dxso_files(invs, {i.pdf_name: PDF for i in invs}, date(2026, 11, 25))
    assert len(files) == 5 and files == dxso_files(
        invs, {i.pdf_name: PDF for i in invs}, date(2026, 11, 25)
    )
    job = await dxso.create(CLIENT, "accountsPayableLedgerImport", "2026-11")
    assert job.account_length == 4
    assert (await dxso.status(CLIENT, job.id)).status == 0
    await dxso.add_files(CLIENT, job.id, files)
    emu.faults.job_delay_s = 30
    await dxso.finalise(CLIENT, job.id)
    assert (await dxso.status(CLIENT, job.id)).name == "running"
    emu.clock.advance(31)
    done = await dxso.status(CLIENT, job.id)
    assert done.status == 2 and done.final
    entries = await dxso.protocol(CLIENT, job.id)
    assert {e.context for e in entries} == {"Rechnung RE-2026-1", "Rechnung RE-2026-2"}
    assert emu.dxso is not None and emu.dxso.jobs[job.id].imported == ["RE-2026-1", "RE-2026-2"]
    with pytest.raises(DatevValidationFailed, match="DCO01007"):
        await dxso.cancel(CLIENT, job.id)  # finalised: cannot be cancelled


async def test_a_missing_pdf_fails_partly_and_an_open_job_can_be_cancelled(
    dxso: DxsoJobs,
) -> None:
    invs = invoices()
    files = dxso_files(invs, {i.pdf_name: PDF for i in invs}, date(2026, 11, 25))
    del files["RE-2026-2.pdf"]
    job = await dxso.create(CLIENT, "accountsPayableLedgerImport", "2026-11")
    await dxso.add_files(CLIENT, job.id, files)
    await dxso.finalise(CLIENT, job.id)
    assert (await dxso.status(CLIENT, job.id)).name == "partly done"
    assert any(e.type == "error" for e in await dxso.protocol(CLIENT, job.id))
    other = await dxso.create(CLIENT, "accountsPayableLedgerImport", "2026-11")
    await dxso.cancel(CLIENT, other.id)
    assert (await dxso.status(CLIENT, other.id)).status == 5


async def test_a_client_without_the_data_service_is_refused(
    emu: DatevEmulator, dxso: DxsoJobs
) -> None:
    emu.state.clients[CLIENT].services = ("Buchungsdatenservice",)
    with pytest.raises(DatevValidationFailed, match="DCO01002"):
        await dxso.create(CLIENT, "accountsPayableLedgerImport", "2026-11")


async def test_dxso_answers_are_documented(
    emu: DatevEmulator, http: httpx.AsyncClient, dxso: DxsoJobs
) -> None:
    from tests.integration.datev.contract import check_response

    job = await dxso.create(CLIENT, "accountsPayableLedgerImport", "2026-11")
    prefix = "/accounting-dxso-jobs/platform/v2"
    headers = dxso.api._headers
    base = emu.base_url + prefix
    for path in (
        f"/clients/{CLIENT}/dxso-jobs/{job.id}",
        f"/clients/{CLIENT}/dxso-jobs/{job.id}/protocol-entries",
    ):
        check_response("dxso", prefix, await http.get(base + path, headers=headers))
