"""Emulated accounting:dxso-jobs (v2): DATEV XML interface online, jobs with states 0–6.

Create a job (``import_type``, ``accounting_month``), attach files (multipart part ``files``,
one file per part, no ZIP), finalise it with ``PUT {"ready": "true"}`` as
``application/merge-patch+json``; the job runs (1) and ends done (2), failed (3) or partly done
(4). ``DELETE`` cancels an open job (5); on a finalised one it answers DCO01007. Protocol entries
say what happened per file.

The check of the XML is the emulator's own and shallow: ``document.xml`` must parse, name its
ledger files and PDFs, and each named file must have been attached; each ledger file must parse
and carry an ``accountsPayableLedger`` (or receivable/cash, per ``import_type``) entry.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

from aiohttp import BodyPartReader, web

from emulators.datev import contract as p
from emulators.datev.state import DatevState, EmulatedClient

DXSO_PREFIX = "/accounting-dxso-jobs/platform/v2"
LEDGER_ELEMENT = {
    "accountsPayableLedgerImport": "accountsPayableLedger",
    "accountsReceivableLedgerImport": "accountsReceivableLedger",
    "cashLedgerImport": "cashLedger",
}
DXSO_SERVICE = "Rechnungsdatenservice 1.0"


@dataclass
class DxsoJob:
    id: str
    client_id: str
    import_type: str
    accounting_month: str
    status: int = p.DXSO_OPEN
    files: dict[str, bytes] = field(default_factory=dict)
    ready_at: datetime | None = None
    protocol: list[dict[str, str]] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)  # invoice ids booked in the ledger
    rows: list[dict[str, str]] = field(default_factory=list)  # the booked ledger rows


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def evaluate(job: DxsoJob, now: datetime) -> None:
    """Run a finalised job once its time has come: status 2, 3 or 4 and protocol entries."""
    if job.status != p.DXSO_RUNNING or job.ready_at is None or now < job.ready_at:
        return
    stamp = now.isoformat()

    def entry(kind: str, filename: str, text: str, context: str = "") -> None:
        job.protocol.append(
            {"type": kind, "filename": filename, "text": text, "context": context, "time": stamp}
        )

    index = job.files.get("document.xml")
    if index is None:
        entry("error", "document.xml", "fehlt: ohne document.xml kein Import")
        job.status = p.DXSO_FAILED
        return
    try:
        root = ElementTree.fromstring(index)  # noqa: S314 - loopback emulator, expat >= 2.4
    except ElementTree.ParseError as exc:
        entry("error", "document.xml", f"ist kein gültiges XML ({exc})")
        job.status = p.DXSO_FAILED
        return
    good = bad = 0
    for document in (e for e in root.iter() if _local(e.tag) == "document"):
        names = [
            x.get("datafile") or x.get("name") or ""
            for x in document
            if _local(x.tag) == "extension"
        ]
        missing = [n for n in names if n and n not in job.files]
        ledgers = [n for n in names if n.endswith(".xml")]
        if missing or not ledgers:
            bad += 1
            entry(
                "error",
                ",".join(missing) or "document.xml",
                "Datei fehlt oder Beleg ohne Buchungsdaten",
            )
            continue
        ok = True
        for name in ledgers:
            try:
                ledger = ElementTree.fromstring(job.files[name])  # noqa: S314
            except ElementTree.ParseError:
                ok = False
                entry("error", name, "ist kein gültiges XML")
                continue
            wanted = LEDGER_ELEMENT[job.import_type]
            rows = [e for e in ledger.iter() if _local(e.tag) == wanted]
            if not rows:
                ok = False
                entry("error", name, f"enthält kein {wanted}")
                continue
            for row in rows:
                invoice = next((c.text or "" for c in row if _local(c.tag) == "invoiceId"), "")
                job.imported.append(invoice)
                job.rows.append(booking_row(row))
                entry("information", name, "wurde verarbeitet", f"Rechnung {invoice}")
        good += ok
        bad += not ok
    job.status = p.DXSO_DONE if bad == 0 else (p.DXSO_PARTLY if good else p.DXSO_FAILED)


def booking_row(row: ElementTree.Element) -> dict[str, str]:
    """A ledger row as a booking seen from the creditor (the EXTF check's row keys)."""
    values = {_local(c.tag): (c.text or "") for c in row}
    amount = values.get("amount", "0")
    credit_note = amount.startswith("-")
    return {
        "amount": amount.lstrip("-"),
        "sh": "S" if credit_note else "H",
        "konto": values.get("partyId", ""),
        "gegenkonto": values.get("accountNo", ""),
        "bu": values.get("buCode", ""),
        "belegdatum": values.get("date", ""),
        "belegfeld1": values.get("invoiceId", ""),
        "buchungstext": values.get("bookingText", ""),
        "kost1": values.get("costCategoryId", ""),
    }


class DxsoRoutes:
    def __init__(
        self,
        state: DatevState,
        duo_error: Callable[[int, str, str], web.Response],
        find_client: Callable[[web.Request], EmulatedClient],
    ) -> None:
        self.state = state
        self.jobs: dict[str, DxsoJob] = {}
        self._error = duo_error
        self._client = find_client

    def bookings(self, client_id: str) -> list[dict[str, str]]:
        """What DUO's ledgers booked for the client from finished jobs (done or partly)."""
        now = self.state.clock.now()
        for job in self.jobs.values():
            evaluate(job, now)
        return [r for j in self.jobs.values() if j.client_id == client_id for r in j.rows]

    def _job(self, request: web.Request) -> DxsoJob:
        client = self._client(request)
        job = self.jobs.get(request.match_info["job_id"])
        if job is None or job.client_id != client.id:
            raise web.HTTPNotFound(text="dxso job not found")
        evaluate(job, self.state.clock.now())
        return job

    async def create(self, request: web.Request) -> web.Response:
        client = self._client(request)
        body = await request.json() if request.can_read_body else {}
        import_type = str(body.get("import_type", ""))
        if import_type not in p.DXSO_IMPORT_TYPES or DXSO_SERVICE not in client.services:
            return self._error(400, p.DCO_DXSO_TARGET, "restapi.InvalidDxsoImportTargetFault")
        job = DxsoJob(
            str(uuid.uuid4()), client.id, import_type, str(body.get("accounting_month", ""))
        )
        self.jobs[job.id] = job
        if self.state.faults.hold_dxso_create_s:
            await asyncio.sleep(self.state.faults.hold_dxso_create_s)
        info = {
            "id": job.id,
            "account_length": client.chart.account_length,
            "ledger_folder_names": ["Eingangsrechnungen"],
        }
        return web.json_response(info, status=201)

    async def add_files(self, request: web.Request) -> web.Response:
        job = self._job(request)
        if job.status != p.DXSO_OPEN:
            return self._error(400, p.DCO_DXSO_STATE, "restapi.InvalidDxsoJobStateFault")
        reader = await request.multipart()
        stored = []
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.filename:
                continue
            if part.filename.lower().endswith(".zip"):
                return self._error(400, p.DCO_FILE_TYPE, "restapi.UnsupportedFileTypeFault")
            job.files[part.filename] = bytes(await part.read())
            stored.append(part.filename)
        if not stored:
            return self._error(400, p.DCO_MULTIPART, "restapi.MultipartUploadFault")
        return web.json_response({"files": stored}, status=201)

    async def finalise(self, request: web.Request) -> web.Response:
        job = self._job(request)
        if request.content_type != "application/merge-patch+json":
            return self._error(400, "DCO01008", "restapi.InvalidMessageBodyFault")
        body = await request.json()
        if body.get("ready") != "true" or job.status != p.DXSO_OPEN:
            return self._error(400, p.DCO_DXSO_STATE, "restapi.InvalidDxsoJobStateFault")
        job.status = p.DXSO_RUNNING
        job.ready_at = self.state.clock.now() + timedelta(seconds=self.state.faults.job_delay_s)
        evaluate(job, self.state.clock.now())
        if self.state.faults.hold_dxso_ready_s:
            await asyncio.sleep(self.state.faults.hold_dxso_ready_s)
        return web.Response(status=204)

    async def status(self, request: web.Request) -> web.Response:
        job = self._job(request)
        return web.json_response({"id": job.id, "status": job.status})

    async def cancel(self, request: web.Request) -> web.Response:
        job = self._job(request)
        if job.status != p.DXSO_OPEN:
            return self._error(400, p.DCO_DXSO_STATE, "restapi.InvalidDxsoJobStateFault")
        job.status = p.DXSO_CANCELLED
        job.files.clear()
        return web.Response(status=204)

    async def protocol(self, request: web.Request) -> web.Response:
        return web.json_response(self._job(request).protocol)

    def add_routes(self, app: web.Application, client_routes: Any) -> None:
        c = f"{DXSO_PREFIX}/clients/{{client_id}}"
        app.router.add_get(f"{DXSO_PREFIX}/clients", client_routes[0])
        app.router.add_get(c, client_routes[1])
        app.router.add_post(f"{c}/dxso-jobs", self.create)
        app.router.add_post(f"{c}/dxso-jobs/{{job_id}}/files", self.add_files)
        app.router.add_put(f"{c}/dxso-jobs/{{job_id}}", self.finalise)
        app.router.add_get(f"{c}/dxso-jobs/{{job_id}}", self.status)
        app.router.add_delete(f"{c}/dxso-jobs/{{job_id}}", self.cancel)
        app.router.add_get(f"{c}/dxso-jobs/{{job_id}}/protocol-entries", self.protocol)
