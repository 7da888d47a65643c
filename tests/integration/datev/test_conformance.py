"""The DATEV emulator against DATEV's published specs (trimmed copies in tests/fixtures/datev).

Every answer checked here must be documented for its path and method, carry the documented
headers and match the documented body schema. The emulator's default is the documented
behaviour; what DATEV does not document (a 409 for a repeated file name) is an opt-in fault.
"""

from __future__ import annotations

import re

import httpx
import pytest
from aiohttp import web

from adapters.datev.tokens import DatevTokenService
from emulators.datev import DatevEmulator
from emulators.datev import api_routes as routes
from emulators.datev.server import build_app
from tests.integration.datev.contract import check_response, operation, spec
from tests.unit.datev.extf_samples import booking, extf_file

CLIENT = "455148-1"
NAME = "EXTF_Procore_455148-1_2026-01_0001.csv"
PDF = b"%PDF-1.4\n%%EOF\n" + b"x" * 512
PREFIXES = {
    "extf": routes.EXTF_PREFIX,
    "documents": routes.DOCUMENTS_PREFIX,
    "clients": routes.CLIENTS_PREFIX,
    "dxso": "/accounting-dxso-jobs/platform/v2",
}


class Caller:
    """Raw HTTP against the emulator with a real token; every answer is checked against DATEV."""

    def __init__(self, emu: DatevEmulator, http: httpx.AsyncClient, token: str) -> None:
        self.emu, self.http = emu, http
        self.headers = {
            "Authorization": f"Bearer {token}",
            "X-DATEV-Client-Id": emu.oauth_client_id,
        }

    async def call(self, api: str, method: str, path: str, **kw: object) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}  # type: ignore[dict-item]
        url = f"{self.emu.base_url}{PREFIXES[api]}{path}"
        resp = await self.http.request(method, url, headers=headers, **kw)  # type: ignore[arg-type]
        check_response(api, PREFIXES[api], resp)
        return resp


@pytest.fixture
async def caller(emu: DatevEmulator, http: httpx.AsyncClient, tokens: DatevTokenService) -> Caller:
    token = await tokens.fresh_access_token()
    return Caller(emu, http, token.value.get_secret_value())


def _upload(data: bytes, name: str = NAME, ref: str = "batch-1") -> dict[str, object]:
    headers = {
        "Filename": name,
        "Reference-Id": ref,
        "Content-Type": "application/octet-stream",
        "Client-Application-Version": "ml-connector 1.0",
    }
    return {"content": data, "headers": headers}


async def test_every_upload_is_a_new_job_listed_with_name_reference_and_result(
    emu: DatevEmulator, caller: Caller
) -> None:
    data = extf_file([booking()])
    first = await caller.call(
        "extf", "POST", f"/clients/{CLIENT}/extf-files/import", **_upload(data)
    )
    again = await caller.call(
        "extf", "POST", f"/clients/{CLIENT}/extf-files/import", **_upload(data)
    )
    assert first.status_code == again.status_code == 202
    assert first.headers["Location"] != again.headers["Location"]  # documented: no dedup
    assert re.fullmatch(rf"/clients/{CLIENT}/extf-files/jobs/[-0-9a-f]+", first.headers["Location"])
    assert int(first.headers["Retry-After"]) >= 0
    job = await caller.call("extf", "GET", first.headers["Location"])
    assert job.json()["result"] == "succeeded"
    listed = await caller.call(
        "extf", "GET", f"/clients/{CLIENT}/extf-files/jobs", params={"top": 1000}
    )
    assert listed.headers["Total-Items"] == "2"
    assert [(j["filename"], j["reference_id"], j["result"]) for j in listed.json()] == [
        (NAME, "batch-1", "succeeded"),
        (NAME, "batch-1", "succeeded"),
    ]
    assert listed.json()[0]["client_application_version"] == "ml-connector 1.0"
    page = await caller.call(
        "extf", "GET", f"/clients/{CLIENT}/extf-files/jobs", params={"skip": 1, "top": 1}
    )
    assert len(page.json()) == 1
    assert len(emu.state.bookings(CLIENT)) == 2  # DATEV imported it twice: dedup is ours


async def test_failed_and_try_again_jobs_carry_documented_validation_details(
    emu: DatevEmulator, caller: Caller
) -> None:
    bad = await caller.call(
        "extf",
        "POST",
        f"/clients/{CLIENT}/extf-files/import",
        **_upload(extf_file([booking(sh="X")])),
    )
    details = (await caller.call("extf", "GET", bad.headers["Location"])).json()[
        "validation_details"
    ]
    assert details["affected_elements"] and details["type"].startswith("http://www.datev.de/hilfe/")
    emu.faults.try_again_jobs = 1
    retry = await caller.call(
        "extf", "POST", f"/clients/{CLIENT}/extf-files/import", **_upload(extf_file([booking()]))
    )
    job = (await caller.call("extf", "GET", retry.headers["Location"])).json()
    assert job["result"] == "failed" and job["validation_details"]["type"].endswith("/1008837")


async def test_invalid_upload_headers_are_documented_400s(caller: Caller) -> None:
    path = f"/clients/{CLIENT}/extf-files/import"
    data = extf_file([booking()])
    assert (
        await caller.call("extf", "POST", path, **_upload(data, name="bookings.csv"))
    ).status_code == 400
    assert (await caller.call("extf", "POST", path, **_upload(data, ref="a<b"))).status_code == 400


async def test_repeated_name_409_is_only_an_opt_in_fault(
    emu: DatevEmulator, caller: Caller
) -> None:
    emu.faults.reject_duplicate_filenames = True
    path = f"/clients/{CLIENT}/extf-files/import"
    data = extf_file([booking()])
    await caller.call("extf", "POST", path, **_upload(data))
    with pytest.raises(AssertionError, match="answered 409"):
        await caller.call("extf", "POST", path, **_upload(data))  # not a documented answer


async def test_documents_api_answers_as_documented(emu: DatevEmulator, caller: Caller) -> None:
    clients = (await caller.call("documents", "GET", "/clients")).json()
    assert [c["id"] for c in clients] == [CLIENT]
    basics = (await caller.call("documents", "GET", f"/clients/{CLIENT}")).json()
    assert basics["is_document_management_available"] is True
    assert basics["basic_accounting_information"][0]["account_length"] == 4
    types = (await caller.call("documents", "GET", f"/clients/{CLIENT}/document-types")).json()
    assert {
        "name": "Rechnungseingang",
        "category": "invoices_received",
        "debit_credit_identifier": "debit",
    } in types
    guid = "bf00cd5c-0fe9-d106-5ec7-ba4fcf4a3951"
    files = {
        "file": ("RE 1.pdf", PDF, "application/pdf"),
        "metadata": (
            None,
            b'{"document_type": "Rechnungseingang", "note": "n"}',
            "application/json",
        ),
    }
    put = await caller.call("documents", "PUT", f"/clients/{CLIENT}/documents/{guid}", files=files)
    assert put.status_code == 201 and put.json()["files"][0]["name"] == "RE 1.pdf"
    repeat = await caller.call(
        "documents", "PUT", f"/clients/{CLIENT}/documents/{guid}", files=files
    )
    assert repeat.status_code == 409 and repeat.json()["error"] == "#DCO01012"
    other = {**files, "file": ("RE 2.pdf", PDF, "application/pdf")}
    posted = await caller.call("documents", "POST", f"/clients/{CLIENT}/documents", files=other)
    assert posted.status_code == 201
    dup = await caller.call("documents", "POST", f"/clients/{CLIENT}/documents", files=other)
    assert dup.status_code == 400 and dup.json()["error"] == "#DCO01253"
    missing = await caller.call("documents", "GET", "/clients/1-1/document-types")
    assert missing.status_code == 404


async def test_clients_api_lists_services_and_filters(caller: Caller) -> None:
    found = await caller.call(
        "clients",
        "GET",
        "/clients",
        params={"filter": "consultant_number eq 455148 and client_number eq 1"},
    )
    (client,) = found.json()
    assert {"Buchungsdatenservice", "Belegbilderservice"} <= {s["name"] for s in client["services"]}
    none = await caller.call("clients", "GET", "/clients", params={"filter": "client_number eq 99"})
    assert none.json() == []
    one = await caller.call("clients", "GET", f"/clients/{CLIENT}")
    assert one.json()["id"] == CLIENT


def test_every_emulated_product_route_is_in_datevs_specs(emu: DatevEmulator) -> None:
    app = build_app(emu.state, emu.auth)
    product = 0
    for resource in app.router.resources():
        path = resource.canonical
        api = next((a for a, pre in PREFIXES.items() if path.startswith(pre)), None)
        if api is None:
            continue
        for route in resource:
            if route.method == "HEAD":
                continue
            operation(api, route.method, path.removeprefix(PREFIXES[api]))
            product += 1
    assert product >= 10
    assert spec("extf")["info"]["version"] == "3.0.1"
    assert isinstance(app, web.Application)
