"""What the emulated DATEV holds: clients, EXTF jobs, accepted bookings/creditors, DUO documents.

Tests and the demo read "what is now in DATEV" from here (``bookings(client_id)`` …) or from the
admin endpoint ``GET /_emulator/state``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emulators.datev.clock import EmulatorClock
from emulators.datev.extf_check import CheckResult, ClientChart, check_extf
from emulators.datev.faults import Faults

SKR03_DEMO_ACCOUNTS = frozenset(
    {"1200", "1571", "1576", "1577", "1600", "1787", "3100", "3106", "3120", "3300", "3400"}
)
SKR03_DEMO_AUTOMATIC = frozenset({"3106", "3120", "3300", "3400"})
D, C = "debit", "credit"
DEFAULT_DOCUMENT_TYPES = (
    {"name": "Rechnungseingang", "category": "invoices_received", "debit_credit_identifier": D},
    {"name": "Rechnungsausgang", "category": "outgoing_invoices", "debit_credit_identifier": C},
    {"name": "Sonstige", "category": "other_documents"},
)
SERVICES = ("Buchungsdatenservice", "Belegbilderservice", "Rechnungsdatenservice 1.0")


@dataclass
class EmulatedClient:
    """One DATEV client (Mandant) as the emulator knows it."""

    chart: ClientChart
    name: str = "Musterbau GmbH"
    document_types: tuple[dict[str, str], ...] = DEFAULT_DOCUMENT_TYPES
    services: tuple[str, ...] = SERVICES
    permitted: bool = True  # False: the login lacks the right for this client (403 1008838)
    document_management: bool = True  # ``is_document_management_available``
    fiscal_years: tuple[int, ...] = (2025, 2026)

    @property
    def id(self) -> str:
        return f"{self.chart.consultant_number}-{self.chart.client_number}"

    def document_type_names(self) -> set[str]:
        return {t["name"] for t in self.document_types}


def demo_client(consultant: int = 455148, client: int = 1) -> EmulatedClient:
    """A SKR03 client with account length 4 and the usual creditor range."""
    chart = ClientChart(
        consultant_number=consultant,
        client_number=client,
        accounts=SKR03_DEMO_ACCOUNTS,
        automatic_accounts=SKR03_DEMO_AUTOMATIC,
    )
    return EmulatedClient(chart=chart)


def _bedi_guid(link: str) -> str:
    """The GUID of a ``BEDI "<guid>"`` Beleglink ("" if none)."""
    text = link.strip()
    return text[len("BEDI") :].strip().strip('"') if text.startswith("BEDI") else ""


@dataclass
class ExtfJob:
    id: str
    client_id: str
    filename: str
    sha256: str
    reference_id: str
    client_application_version: str
    submitted_at: datetime
    ready_at: datetime
    check: CheckResult
    force_fail: str = ""
    try_again: bool = False  # fails with 1008837: an internal DATEV error, the app should retry
    result: str = "pending"
    validation_details: dict[str, Any] | None = None
    # Beleglink GUIDs the file names that DUO did not hold when it was submitted (observed for
    # tests; the import itself does not depend on it).
    links_missing: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """A ``Job`` of the extf-files spec; fields without a value are left out, not null."""
        c = self.check
        data = {
            "id": self.id,
            "filename": self.filename,
            "result": self.result,
            "timestamp": self.submitted_at.isoformat(),
            "data_category_id": c.category,
            "date_from": c.date_from.isoformat() if c.date_from else None,
            "date_to": c.date_to.isoformat() if c.date_to else None,
            "fiscal_year_begin": c.fiscal_year_begin.isoformat() if c.fiscal_year_begin else None,
            "label": c.label,
            "number_of_accounting_records": c.record_count if self.result == "succeeded" else 0,
            "reference_id": self.reference_id,
            "client_application_version": self.client_application_version,
            "validation_details": self.validation_details,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass
class StoredDocument:
    guid: str
    filename: str
    document_type: str
    note: str
    sha256: str
    size: int
    metadata: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.guid,
            "files": [{"name": self.filename, "size": self.size}],
            "document_type": self.document_type,
            "note": self.note,
        }


@dataclass
class DatevState:
    clock: EmulatorClock
    faults: Faults
    clients: dict[str, EmulatedClient] = field(default_factory=dict)
    jobs: dict[str, ExtfJob] = field(default_factory=dict)
    _bookings: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _creditors: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    _documents: dict[str, dict[str, StoredDocument]] = field(default_factory=dict)
    api_calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)

    # -- inspection ---------------------------------------------------------------------------
    def bookings(self, client_id: str) -> list[dict[str, str]]:
        return list(self._bookings.get(client_id, []))

    def creditors(self, client_id: str) -> list[dict[str, str]]:
        return list(self._creditors.get(client_id, {}).values())

    def documents(self, client_id: str) -> list[StoredDocument]:
        return list(self._documents.get(client_id, {}).values())

    def client_jobs(self, client_id: str) -> list[ExtfJob]:
        return [self.refresh_job(j) for j in self.jobs.values() if j.client_id == client_id]

    def gets_for_job(self, job_id: str) -> int:
        return sum(1 for m, p in self.api_calls if m == "GET" and p.endswith(f"/jobs/{job_id}"))

    def snapshot(self) -> dict[str, Any]:
        return {
            "clients": {
                cid: {
                    "bookings": self.bookings(cid),
                    "creditors": self.creditors(cid),
                    "documents": [d.as_json() for d in self.documents(cid)],
                    "jobs": [j.as_json() for j in self.client_jobs(cid)],
                }
                for cid in self.clients
            },
            "faults": self.faults.as_dict(),
            "now": self.clock.now().isoformat(),
        }

    # -- EXTF jobs ----------------------------------------------------------------------------
    def accepted_job_for(self, client_id: str, filename: str) -> ExtfJob | None:
        """An earlier job under this filename that did not fail (DATEV's duplicate rule)."""
        for job in self.client_jobs(client_id):
            if job.filename == filename and job.result != "failed":
                return job
        return None

    def submit_extf(
        self, client: EmulatedClient, filename: str, data: bytes, ref: str, app_version: str = ""
    ) -> ExtfJob:
        """A new job for every upload, as DATEV documents it (no duplicate-name rule)."""
        now = self.clock.now()
        try_again = self.faults.take_try_again()
        job = ExtfJob(
            id=str(uuid.uuid4()),
            client_id=client.id,
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            reference_id=ref,
            client_application_version=app_version,
            submitted_at=now,
            ready_at=now + timedelta(seconds=self.faults.job_delay_s),
            check=check_extf(data, client.chart),
            force_fail=self.faults.fail_message if self.faults.fail_jobs else "",
            try_again=try_again,
        )
        held = self._documents.get(client.id, {})
        links = {_bedi_guid(b.get("beleglink", "")) for b in job.check.bookings}
        job.links_missing = tuple(sorted(g for g in links if g and g not in held))
        self.jobs[job.id] = job
        return self.refresh_job(job)

    def refresh_job(self, job: ExtfJob) -> ExtfJob:
        """Move a pending job to its final state once its time has come."""
        if job.result != "pending" or self.clock.now() < job.ready_at:
            return job
        findings = job.check.findings
        if job.try_again:
            job.result = "failed"
            job.validation_details = {
                "type": "http://www.datev.de/hilfe/1008837",
                "title": "Try again",
                "detail": "An internal error occurred; the job failed. Try again.",
                "affected_elements": [],
            }
        elif job.force_fail or findings:
            job.result = "failed"
            elements = [{"name": f.name, "reason": f.reason} for f in findings]
            code = findings[0].code if findings else "1008834"
            job.validation_details = {
                "type": f"http://www.datev.de/hilfe/{code}",
                "title": "The EXTF file was not imported",
                "detail": job.force_fail or f"{len(findings)} problem(s) in {job.filename}",
                "affected_elements": elements,
            }
        else:
            job.result = "succeeded"
            stamped = [
                {**b, "filename": job.filename, "job_id": job.id} for b in job.check.bookings
            ]
            self._bookings.setdefault(job.client_id, []).extend(stamped)
            creditors = self._creditors.setdefault(job.client_id, {})
            for row in job.check.creditors:
                creditors[row["konto"]] = row
        return job

    # -- DUO documents ------------------------------------------------------------------------
    def document(self, client_id: str, guid: str) -> StoredDocument | None:
        return self._documents.get(client_id, {}).get(guid)

    def duplicate_document(self, client_id: str, filename: str, document_type: str) -> bool:
        return any(
            d.filename == filename and d.document_type == document_type
            for d in self.documents(client_id)
        )

    def store_document(self, client_id: str, doc: StoredDocument) -> None:
        self._documents.setdefault(client_id, {})[doc.guid] = doc
