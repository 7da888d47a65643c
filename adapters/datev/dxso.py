"""accounting:dxso-jobs (v2) client: DATEV XML interface online (Rechnungsdatenservice 1.0).

Steps [D, accounting_dxso-jobs 2.1.7]: create a job for an import type and accounting month,
attach the files (``document.xml``, one ledger XML per invoice, the PDFs; multipart part
``files``, one file per part, no ZIP), finalise it (``PUT {"ready": "true"}`` as
``application/merge-patch+json``), then read its status (0 open … 6 cancel failed) and the
protocol entries, which DATEV keeps only about two months — callers store them.
"""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import BaseModel, Field

from adapters.datev.client import DatevClient

ImportType = Literal[
    "accountsPayableLedgerImport", "accountsReceivableLedgerImport", "cashLedgerImport"
]
FINAL_STATES = frozenset({2, 3, 4, 5, 6})
STATE_NAMES = {
    0: "open",
    1: "running",
    2: "done",
    3: "failed",
    4: "partly done",
    5: "cancelled",
    6: "cancel failed",
}


class DxsoJob(BaseModel):
    id: str
    account_length: int | None = None
    ledger_folder_names: list[str] = Field(default_factory=list)


class DxsoStatus(BaseModel):
    id: str
    status: int

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATES

    @property
    def name(self) -> str:
        return STATE_NAMES.get(self.status, f"unknown ({self.status})")


class ProtocolEntry(BaseModel):
    type: str = ""
    filename: str = ""
    text: str = ""
    context: str = ""
    time: str = ""


class DxsoJobs:
    """The dxso-jobs calls, on a :class:`DatevClient` session (its token and headers)."""

    def __init__(self, api: DatevClient, base_url: str) -> None:
        self.api = api
        self.base = base_url.rstrip("/")

    def _url(self, client_id: str, job_id: str = "", tail: str = "") -> str:
        url = f"{self.base}/clients/{client_id}/dxso-jobs"
        return f"{url}/{job_id}{tail}" if job_id else url

    async def create(self, client_id: str, import_type: ImportType, month: str) -> DxsoJob:
        body = orjson.dumps({"import_type": import_type, "accounting_month": month})
        headers = {"Content-Type": "application/json"}
        resp = await self.api.send("POST", self._url(client_id), content=body, headers=headers)
        return DxsoJob.model_validate(orjson.loads(resp.content))

    async def add_files(self, client_id: str, job_id: str, files: dict[str, bytes]) -> None:
        """Attach files; each is its own ``files`` part (DATEV takes no ZIP)."""
        parts = [
            (
                "files",
                (name, data, "application/xml" if name.endswith(".xml") else "application/pdf"),
            )
            for name, data in files.items()
        ]
        await self.api.send("POST", self._url(client_id, job_id, "/files"), files=parts)

    async def finalise(self, client_id: str, job_id: str) -> None:
        headers = {"Content-Type": "application/merge-patch+json"}
        body = orjson.dumps({"ready": "true"})
        await self.api.send("PUT", self._url(client_id, job_id), content=body, headers=headers)

    async def status(self, client_id: str, job_id: str) -> DxsoStatus:
        resp = await self.api.send("GET", self._url(client_id, job_id))
        return DxsoStatus.model_validate(orjson.loads(resp.content))

    async def protocol(self, client_id: str, job_id: str) -> list[ProtocolEntry]:
        resp = await self.api.send("GET", self._url(client_id, job_id, "/protocol-entries"))
        return [ProtocolEntry.model_validate(e) for e in orjson.loads(resp.content)]

    async def cancel(self, client_id: str, job_id: str) -> None:
        await self.api.send("DELETE", self._url(client_id, job_id))


def _media_type(name: str) -> str:
    return "application/xml" if name.lower().endswith(".xml") else "application/pdf"
