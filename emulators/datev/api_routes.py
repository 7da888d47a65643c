"""Emulated DATEV platform APIs: clients, extf-files (v3), documents (v2, DUO)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import orjson
from aiohttp import BodyPartReader, web

from emulators.datev import contract as p
from emulators.datev.state import DatevState, EmulatedClient, StoredDocument

EXTF_PREFIX = "/accounting-extf-files/platform/v3"
DOCUMENTS_PREFIX = "/accounting-documents/platform/v2"
CLIENTS_PREFIX = "/accounting-clients/platform/v2"
STATE_KEY = web.AppKey("datev_state", DatevState)


class Abort(Exception):
    """Raised inside a handler to answer ``response`` at once (the middleware returns it)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def problem(
    status: int, title: str, detail: str = "", type_: str = "", **extra: Any
) -> web.Response:
    """An RFC 7807 problem response as DATEV's platform APIs send them."""
    body: dict[str, Any] = {
        "type": type_ or f"about:blank#{status}",
        "title": title,
        "detail": detail,
    }
    body |= {"status": status, "request_id": "emu-" + hashlib.md5(detail.encode()).hexdigest()}  # noqa: S324
    body |= extra
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/problem+json"
    )


def duo_error(status: int, code: str, description: str) -> web.Response:
    """A DUO error body ``{error, error_description, error_uri, request_id}``."""
    body = {
        "error": f"#{code}",
        "error_description": description,
        "error_uri": "",
        "request_id": "",
    }
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(data), content_type="application/json", headers=headers
    )


def find_client(request: web.Request) -> EmulatedClient:
    state = request.app[STATE_KEY]
    client = state.clients.get(request.match_info["client_id"])
    if client is None:
        raise Abort(problem(404, "Client not found", request.match_info["client_id"]))
    if not client.permitted:
        code = p.EXTF_CODE_NO_PERMISSION
        raise Abort(problem(403, "No permission for this client", client.id, f"urn:datev:{code}"))
    return client


def _client_json(client: EmulatedClient, detailed: bool, services: bool) -> dict[str, Any]:
    """``Client`` or ``ClientBasics`` (documents detail); services only in accounting-clients."""
    chart = client.chart
    data: dict[str, Any] = {
        "id": client.id,
        "client_number": chart.client_number,
        "consultant_number": chart.consultant_number,
        "name": client.name,
    }
    if services:
        data["services"] = [{"name": s, "scopes": []} for s in client.services]
    if detailed:
        data["is_document_management_available"] = client.document_management
        data["basic_accounting_information"] = [
            {
                "account_length": chart.account_length,
                "fiscal_year_start": f"{year}-01-01",
                "fiscal_year_end": f"{year}-12-31",
                "ledgers": {
                    "is_accounts_payable_ledger_available": True,
                    "is_accounts_receivable_ledger_available": True,
                    "is_cash_ledger_available": False,
                },
            }
            for year in client.fiscal_years
        ]
    return data


# -- clients -------------------------------------------------------------------------------
async def list_clients(request: web.Request) -> web.Response:
    services = request.path.startswith(CLIENTS_PREFIX)
    wanted = _filter(request.query.get("filter", ""))
    chosen = [
        c
        for c in request.app[STATE_KEY].clients.values()
        if all(getattr(c.chart, k) == v for k, v in wanted.items())
    ]
    skip = int(request.query.get("skip", "0"))
    top = min(int(request.query.get("top", "100")), 100)
    page = [_client_json(c, False, services) for c in chosen[skip : skip + top]]
    return _json(page, headers={"Total-Items": str(len(chosen))})


def _filter(text: str) -> dict[str, int]:
    """``consultant_number eq 455148 and client_number eq 1`` (the only form we serve)."""
    found: dict[str, int] = {}
    for clause in text.split(" and ") if text else []:
        name, op, value = [*clause.strip().split(" "), "", ""][:3]
        if op != "eq" or name not in ("consultant_number", "client_number"):
            raise Abort(problem(400, "Invalid filter", text))
        found[name] = int(value)
    return found


async def get_client(request: web.Request) -> web.Response:
    services = request.path.startswith(CLIENTS_PREFIX)
    return _json(_client_json(find_client(request), not services, services))


async def document_types(request: web.Request) -> web.Response:
    return _json(list(find_client(request).document_types))


# -- EXTF files ----------------------------------------------------------------------------
async def extf_import(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    client = find_client(request)
    filename = request.headers.get("Filename", "")
    if not p.EXTF_FILENAME.match(filename):
        return problem(400, "Invalid Filename header", f"{filename!r} must match EXTF_*.csv")
    if request.content_type != "application/octet-stream":
        return problem(415, "Unsupported media type", request.content_type)
    if (request.content_length or 0) > p.EXTF_MAX_BYTES:
        return problem(413, "File too large", "over 50 MB")
    data = await request.read()
    reference_id = request.headers.get("Reference-Id", "")
    if not p.REFERENCE_ID_CHARS.match(reference_id):
        return problem(400, "Invalid Reference-Id", reference_id)
    app_version = request.headers.get("Client-Application-Version", "")
    if not p.REFERENCE_ID_CHARS.match(app_version):
        return problem(400, "Invalid Client-Application-Version", app_version)
    earlier = state.accepted_job_for(client.id, filename)
    if earlier is not None and state.faults.reject_duplicate_filenames:
        return problem(
            p.DUPLICATE_EXTF_STATUS,
            p.DUPLICATE_EXTF_TITLE,
            f"{filename} was already imported",
            p.DUPLICATE_EXTF_TYPE,
            affected_elements=[{"name": "Filename", "reason": f"see job {earlier.id}"}],
        )
    job = state.submit_extf(client, filename, data, reference_id, app_version)
    location = f"/clients/{client.id}/extf-files/jobs/{job.id}"
    hint = state.faults.job_retry_after_s
    retry_after = str(max(0, round(hint if hint >= 0 else state.faults.job_delay_s)))
    if state.faults.hold_import_s:
        await asyncio.sleep(state.faults.hold_import_s)
    return web.Response(status=202, headers={"Location": location, "Retry-After": retry_after})


async def extf_job(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    client = find_client(request)
    job = state.jobs.get(request.match_info["job_id"])
    if job is None or job.client_id != client.id:
        return problem(404, "Job not found", request.match_info["job_id"])
    return _json(state.refresh_job(job).as_json())


async def extf_jobs(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    client = find_client(request)
    skip = int(request.query.get("skip", "0"))
    top = min(int(request.query.get("top", "100")), 100)
    jobs = state.client_jobs(client.id)
    page = [j.as_json() for j in jobs[skip : skip + top]]
    return _json(page, headers={"Total-Items": str(len(jobs))})


# -- DUO documents -------------------------------------------------------------------------
async def put_document(request: web.Request) -> web.Response:
    return await _store_document(request, request.match_info["guid"])


async def post_document(request: web.Request) -> web.Response:
    return await _store_document(request, str(uuid.uuid4()))


async def _store_document(request: web.Request, guid: str) -> web.Response:
    state = request.app[STATE_KEY]
    client = find_client(request)
    if state.document(client.id, guid) is not None:
        return duo_error(409, p.DCO_GUID_EXISTS, f"document {guid} already exists")
    filename, content, metadata = await _read_multipart(request)
    if filename is None or content is None:
        return duo_error(400, "DCO01000", "multipart part 'file' is missing")
    if len(content) > p.DOCUMENT_MAX_BYTES:
        return duo_error(413, "DCO01016", "file is over 20 MB")
    if filename.lower().endswith(".zip"):
        return duo_error(400, "DCO01015", "ZIP files are not allowed")
    doc_type = str(metadata.get("document_type", ""))
    if doc_type and doc_type not in client.document_type_names():
        return duo_error(400, p.DCO_UNKNOWN_DOCUMENT_TYPE, f"unknown document type {doc_type!r}")
    if state.duplicate_document(client.id, filename, doc_type):
        return duo_error(400, p.DCO_DUPLICATE_FILE, f"DuplicateFileFault: {filename}")
    doc = StoredDocument(
        guid=guid,
        filename=filename,
        document_type=doc_type,
        note=str(metadata.get("note", "")),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        metadata=metadata,
    )
    state.store_document(client.id, doc)
    if state.faults.hold_document_s:
        await asyncio.sleep(state.faults.hold_document_s)
    return _json(doc.as_json(), status=201)


async def _read_multipart(request: web.Request) -> tuple[str | None, bytes | None, dict[str, Any]]:
    reader = await request.multipart()
    filename: str | None = None
    content: bytes | None = None
    metadata: dict[str, Any] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            filename = part.filename
            content = bytes(await part.read())
        elif part.name == "metadata":
            loaded = orjson.loads(bytes(await part.read()))
            metadata = loaded if isinstance(loaded, dict) else {}
    return filename, content, metadata


def add_routes(app: web.Application) -> None:
    c = "/clients/{client_id}"
    app.router.add_get(f"{CLIENTS_PREFIX}/clients", list_clients)
    app.router.add_get(f"{CLIENTS_PREFIX}{c}", get_client)
    app.router.add_get(f"{DOCUMENTS_PREFIX}/clients", list_clients)
    app.router.add_get(f"{DOCUMENTS_PREFIX}{c}", get_client)
    app.router.add_get(f"{DOCUMENTS_PREFIX}{c}/document-types", document_types)
    app.router.add_post(f"{DOCUMENTS_PREFIX}{c}/documents", post_document)
    app.router.add_put(f"{DOCUMENTS_PREFIX}{c}/documents/{{guid}}", put_document)
    app.router.add_post(f"{EXTF_PREFIX}{c}/extf-files/import", extf_import)
    app.router.add_get(f"{EXTF_PREFIX}{c}/extf-files/jobs", extf_jobs)
    app.router.add_get(f"{EXTF_PREFIX}{c}/extf-files/jobs/{{job_id}}", extf_job)
