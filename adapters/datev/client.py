"""DATEV platform API client: clients, EXTF jobs, DUO documents.

One :class:`DatevClient` per batch, built with a fresh access token
(:meth:`DatevTokenService.fresh_access_token`). Every request carries ``Authorization: Bearer``
and ``X-DATEV-Client-Id``. HTTP errors become the typed errors of :mod:`adapters.datev.errors`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import IO, Any, Literal

import httpx
import orjson
from pydantic import BaseModel, Field

from adapters.backoff import parse_retry_after
from adapters.datev import errors as e
from adapters.datev import protocol as p
from adapters.datev.documents import DocumentType, UploadedDocument, document_parts
from adapters.datev.polling import PollPolicy
from adapters.datev.responses import error_for
from adapters.datev.tokens import DatevAccessToken

Sleep = Callable[[float], Awaitable[None]]
Reauth = Callable[[DatevAccessToken], Awaitable[DatevAccessToken]]


@dataclass(frozen=True)
class DatevEndpoints:
    extf_base_url: str
    documents_base_url: str
    clients_base_url: str


class DatevClientInfo(BaseModel):
    id: str  # "<consultant>-<client>": internal, do not show to users
    consultant_number: int
    client_number: int
    name: str = ""
    services: list[dict[str, Any]] = Field(default_factory=list)

    def has_service(self, name: str) -> bool:
        return any(s.get("name") == name for s in self.services)


class ExtfJob(BaseModel):
    id: str
    filename: str = ""
    result: Literal["pending", "succeeded", "failed"] = "pending"
    reference_id: str | None = None
    number_of_accounting_records: int | None = None
    validation_details: e.Problem | None = None


class ExtfSubmission(BaseModel):
    job_id: str
    retry_after_s: float | None = None
    already_submitted: bool = False  # an identical file was accepted earlier under this name


class JobResult(BaseModel):
    job_id: str
    status: Literal["succeeded", "failed", "pending"]
    filename: str = ""
    messages: list[str] = Field(default_factory=list)
    validation_details: e.Problem | None = None
    number_of_accounting_records: int | None = None
    gets_used: int = 0


class DatevClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoints: DatevEndpoints,
        oauth_client_id: str,
        token: DatevAccessToken,
        sleep: Sleep = asyncio.sleep,
        app_version: str = p.CLIENT_APPLICATION_VERSION,
        reauth: Reauth | None = None,
    ) -> None:
        self._http = http
        self._urls = endpoints
        self._headers = {
            "Authorization": token.authorization(),
            p.CLIENT_ID_HEADER: oauth_client_id,
        }
        self._sleep = sleep
        self._app_version = app_version
        self._token = token
        self._reauth = reauth  # a 401 on this token: mint a fresh one once, then retry

    def __repr__(self) -> str:
        return f"DatevClient(extf={self._urls.extf_base_url!r})"

    # -- clients ------------------------------------------------------------------------------
    async def list_clients(self) -> list[DatevClientInfo]:
        """All clients this login can see (accounting-clients API, paged by 100)."""
        found: list[DatevClientInfo] = []
        while True:
            resp = await self._send(
                "GET", f"{self._urls.clients_base_url}/clients", params={"skip": len(found)}
            )
            page = [DatevClientInfo.model_validate(c) for c in orjson.loads(resp.content)]
            found += page
            total = int(resp.headers.get("Total-Items", len(found)))
            if not page or len(found) >= total:
                return found

    async def get_client(self, client_id: str) -> dict[str, Any]:
        resp = await self._send("GET", f"{self._urls.documents_base_url}/clients/{client_id}")
        data: dict[str, Any] = orjson.loads(resp.content)
        return data

    async def document_types(self, client_id: str) -> list[DocumentType]:
        url = f"{self._urls.documents_base_url}/clients/{client_id}/document-types"
        resp = await self._send("GET", url)
        return [DocumentType.model_validate(t) for t in orjson.loads(resp.content)]

    # -- EXTF jobs ----------------------------------------------------------------------------
    async def submit_extf(
        self, client_id: str, filename: str, data: bytes, reference_id: str
    ) -> ExtfSubmission:
        """Upload one EXTF file: DATEV creates a new job for every POST (no server dedup).

        Callers record the intent (file, ``reference_id``, sha256) before calling and, after a
        crash, look the job up with :meth:`find_job` before posting again.
        """
        if not p.EXTF_FILENAME.match(filename):
            raise e.DatevValidationFailed(f"{filename!r} is not a valid EXTF_….csv file name")
        sha = hashlib.sha256(data).hexdigest()
        ref = submit_reference(reference_id, sha)
        headers = {
            "Filename": filename,
            "Reference-Id": ref,
            "Content-Type": "application/octet-stream",
            "Client-Application-Version": self._app_version,
        }
        url = f"{self._urls.extf_base_url}/clients/{client_id}/extf-files/import"
        try:
            resp = await self._send("POST", url, content=data, headers=headers)
        except e.DatevValidationFailed as exc:
            if not _is_duplicate_extf(exc):
                raise
            return await self._resolve_duplicate(client_id, filename, sha, exc)
        job_id = resp.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        if not job_id:
            raise e.DatevServerError("DATEV accepted the file but sent no job Location")
        return ExtfSubmission(
            job_id=job_id, retry_after_s=parse_retry_after(resp.headers.get("Retry-After"))
        )

    async def find_job(
        self, client_id: str, reference_id: str, filename: str, sha256: str
    ) -> ExtfJob | None:
        """The job an earlier upload of exactly this file under this intent created, if any.

        DATEV's job list has no filter, so this pages through it (100 per GET); it is only
        called for a batch whose upload may have reached DATEV without us seeing the answer.
        """
        wanted = submit_reference(reference_id, sha256)
        for job in reversed(await self.list_jobs(client_id)):
            if job.reference_id == wanted and job.filename == filename:
                return job
        return None

    async def _resolve_duplicate(
        self, client_id: str, filename: str, sha: str, exc: e.DatevValidationFailed
    ) -> ExtfSubmission:
        for job in await self.list_jobs(client_id):
            if job.filename != filename or job.result == "failed":
                continue
            if (job.reference_id or "").endswith(f"{p.REFERENCE_SHA_MARK}{sha}"):
                return ExtfSubmission(job_id=job.id, already_submitted=True)
            raise e.DatevDuplicateFile(
                f"DATEV client {client_id} already has a different file named {filename} "
                f"(job {job.id}); a changed batch must get a new file name — do not resubmit",
                problem=exc.problem,
            )
        raise e.DatevDuplicateFile(
            f"DATEV rejected {filename} as a duplicate, but no earlier job with that name is "
            f"visible for client {client_id}; check the job list in DATEV",
            problem=exc.problem,
        )

    async def list_jobs(self, client_id: str) -> list[ExtfJob]:
        url = f"{self._urls.extf_base_url}/clients/{client_id}/extf-files/jobs"
        jobs: list[ExtfJob] = []
        while True:
            resp = await self._send("GET", url, params={"skip": len(jobs), "top": 100})
            page = [ExtfJob.model_validate(j) for j in orjson.loads(resp.content)]
            jobs += page
            if not page or len(jobs) >= int(resp.headers.get("Total-Items", len(jobs))):
                return jobs

    async def get_job(self, client_id: str, job_id: str) -> ExtfJob:
        url = f"{self._urls.extf_base_url}/clients/{client_id}/extf-files/jobs/{job_id}"
        return ExtfJob.model_validate(orjson.loads((await self._send("GET", url)).content))

    async def poll_job(
        self,
        client_id: str,
        job_id: str,
        policy: PollPolicy | None = None,
        retry_after_s: float | None = None,
    ) -> JobResult:
        """Poll until the job is final or the GET budget is spent (then ``status='pending'``)."""
        policy = policy or PollPolicy()
        job: ExtfJob | None = None
        for attempt in range(policy.max_gets):
            await self._sleep(policy.delay(attempt, retry_after_s))
            try:
                job = await self.get_job(client_id, job_id)
            except (e.DatevRateLimited, e.DatevServerError) as exc:
                retry_after_s = getattr(exc, "retry_after_s", None)
                continue
            retry_after_s = None
            if job.result != "pending":
                problem = job.validation_details
                return JobResult(
                    job_id=job_id,
                    status=job.result,
                    filename=job.filename,
                    messages=problem.messages() if problem else [],
                    validation_details=problem,
                    number_of_accounting_records=job.number_of_accounting_records,
                    gets_used=attempt + 1,
                )
        filename = job.filename if job else ""
        return JobResult(
            job_id=job_id, status="pending", filename=filename, gets_used=policy.max_gets
        )

    # -- DUO documents ------------------------------------------------------------------------
    async def upload_document(
        self,
        client_id: str,
        guid: str,
        filename: str,
        content: bytes | IO[bytes],
        document_type: str,
        note: str = "",
    ) -> UploadedDocument:
        """PUT a document under a caller-chosen GUID (idempotent; see :func:`document_guid`).

        An existing GUID (#DCO01012) counts as done: the GUID is derived from the content, so
        the same GUID means the same file.
        """
        files = document_parts(filename, content, document_type, note)
        url = f"{self._urls.documents_base_url}/clients/{client_id}/documents/{guid}"
        try:
            await self._send("PUT", url, files=files)
        except e.DatevValidationFailed as exc:
            if exc.problem is not None and exc.problem.code == p.DCO_GUID_EXISTS:
                return UploadedDocument(guid=guid, already_present=True)
            raise
        return UploadedDocument(guid=guid)

    # -- transport ----------------------------------------------------------------------------
    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One authorised call (other DATEV products, e.g. dxso-jobs, build on this)."""
        return await self._send(method, url, **kwargs)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {**self._headers, **extra}
            try:
                resp = await self._http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                raise e.DatevServerError(f"cannot reach DATEV at {url}: {exc}") from None
            if resp.is_success:
                return resp
            if resp.status_code != 401 or self._reauth is None or attempt == 2:
                break
            self._token = await self._reauth(self._token)
            self._headers["Authorization"] = self._token.authorization()
            files = kwargs.get("files") or {}
            for value in files.values() if isinstance(files, dict) else [v for _k, v in files]:
                if hasattr(value[1], "seek"):
                    value[1].seek(0)  # a file object was read by the first attempt
        raise error_for(resp)


def submit_reference(reference_id: str, sha256: str) -> str:
    """The ``Reference-Id`` of one upload: our intent's reference plus the file's sha256."""
    ref = f"{reference_id}{p.REFERENCE_SHA_MARK}{sha256}"
    if not p.REFERENCE_ID_CHARS.match(ref):
        raise e.DatevValidationFailed(
            f"reference id {reference_id!r} has characters or length DATEV does not accept"
        )
    return ref


def _is_duplicate_extf(exc: e.DatevValidationFailed) -> bool:
    return exc.problem is not None and exc.problem.type == p.DUPLICATE_EXTF_TYPE
