"""Documents: each booked record's invoice PDF → Procore download → DUO upload.

The uploader follows the ledger's ``LinesPlanned``/``ReplayRequested`` events from a tracking
position. The DUO document GUID is derived from the record and attachment, so the booking line
can link it (``BEDI``) before the upload, and a repeated upload is recognised as done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking

from adapters.backoff import Backoff
from adapters.datev.documents import duo_filename
from adapters.datev.errors import DatevDuplicateDocument, DatevError
from adapters.procore.errors import ProcoreError
from domain.changes import RecordRef
from domain.planning import document_guid, invoice_attachment
from domain.source_document import SourceDocument
from streams.config import telemetry
from streams.ledger.application import Ledger, event_topic
from streams.ledger.rules import BookingRules
from streams.stages.datev_gateway import LOGIN_ERRORS, DatevGateway
from streams.stages.file_export import PDF_FOLDER, ExportResult, write_once

log = logging.getLogger(__name__)

TRACKING = "documents:duo"
TOPICS = (
    event_topic(SourceDocument, "LinesPlanned"),
    event_topic(SourceDocument, "ReplayRequested"),
)
MAX_BYTES = 20 * 1024 * 1024  # DUO's limit per file
ATTEMPTS = 3  # quick tries within one round
QUICK_RETRY = Backoff(base_s=0.5, max_s=4.0, retry_after_cap_s=4.0)
MAX_ROUNDS = 10  # rounds a transiently failing document blocks the queue before it is parked


class _TryLater(Exception):
    """A transient failure: stop this round without advancing, try again next round."""


class AttachmentSource(Protocol):
    def stream_attachment(
        self, url: str, *, company_id: int | None, chunk_size: int = 65536
    ) -> AsyncIterator[bytes]: ...


class DocumentUploader:
    def __init__(
        self,
        ledger: Ledger,
        rules: BookingRules,
        gateway: DatevGateway,
        procore: AttachmentSource,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.ledger = ledger
        self.rules = rules
        self.gateway = gateway
        self.procore = procore
        self.sleep = sleep
        self._rounds: dict[UUID, int] = {}

    def _next(self, limit: int = 200) -> tuple[list[UUID], int | None]:
        start = (self.ledger.recorder.max_tracking_id(TRACKING) or 0) + 1
        notes = self.ledger.notifications(start, limit, TOPICS)
        ids = list(dict.fromkeys(UUID(str(n.originator_id)) for n in notes))
        return ids, (notes[-1].id if notes else None)

    async def run_once(self) -> int:
        """Upload what the next page of events asks for; returns the number uploaded."""
        if not self.gateway.may_call():
            return 0  # the DATEV login is paused; the position stays, nothing is lost
        ids, last = await asyncio.to_thread(self._next)
        if last is None:
            return 0
        uploaded = 0
        for agg_id in ids:
            doc = await asyncio.to_thread(self.ledger.document, agg_id)
            if doc is None or not self._wants_upload(doc):
                continue
            try:
                uploaded += await self._upload(doc)
            except LOGIN_ERRORS:
                log.error("%s; documents wait", self.gateway.login_problem)
                return uploaded  # position not advanced: retried after the next login
            except _TryLater as later:
                log.warning("document of %s: %s; retrying next round", doc.key, later)
                return uploaded  # position not advanced: this page is retried
        await asyncio.to_thread(self._commit, last)
        return uploaded

    def _commit(self, last: int) -> None:
        try:
            self.ledger.recorder.insert_tracking(Tracking(TRACKING, last))
        except IntegrityError:
            log.info("documents position %s already recorded", last)

    @staticmethod
    def _wants_upload(doc: SourceDocument) -> bool:
        if doc.document_state in ("uploaded", "failed") or doc.client_id is None:
            return False  # failed = parked until `replay record` asks again
        if doc.decision not in ("planned", "batched") or doc.deleted:
            return False
        return invoice_attachment(doc.record or {}) is not None

    async def _upload(self, doc: SourceDocument) -> int:
        assert doc.client_id is not None
        attachment = invoice_attachment(doc.record or {})
        assert attachment is not None
        ref = RecordRef.parse(doc.key)
        guid = document_guid(doc.key, attachment)
        mapping = self.rules.client(doc.client_id).mapping
        error: Exception | None = None
        filename = duo_filename(attachment.filename)
        if mapping.delivery.destination == "dxso":
            return 0  # the PDF travels inside the batch's DXSO job (streams.stages.dxso)
        if mapping.delivery.destination == "files" and mapping.delivery.directory:
            return await self._write_pdf(
                doc, guid, attachment.url, Path(mapping.delivery.directory)
            )
        elsewhere = ""
        for attempt in range(ATTEMPTS):
            try:
                data = await self._download(attachment.url, ref.company_id)
                async with self.gateway.session("documents") as api:
                    await self.gateway.ensure_visible(api, doc.client_id)
                    await api.upload_document(
                        doc.client_id,
                        guid,
                        attachment.filename,
                        data,
                        mapping.documents.document_type,
                        note=f"Procore {doc.resource} {ref.resource_id} ({doc.key})",
                    )
            except LOGIN_ERRORS:
                raise
            except DatevDuplicateDocument:
                # #DCO01253: Belege online already holds this very file (an earlier upload
                # under another GUID, or by hand). The document is there: done, not parked.
                log.info("document of %s: DUO already holds %s (#DCO01253)", doc.key, filename)
                error, elsewhere = None, "#DCO01253 duplicate file"
                break
            except (DatevError, ProcoreError, ValueError) as exc:
                error = exc
                if not getattr(exc, "retryable", False):
                    break
                await self.sleep(
                    QUICK_RETRY.delay(attempt + 1, getattr(exc, "retry_after_s", None))
                )
                continue
            error = None
            break
        if error is None:
            await asyncio.to_thread(self._record, doc, "uploaded", guid, filename, None, elsewhere)
            telemetry.document_upload("uploaded")
            return 1
        rounds = self._rounds.get(doc.id, 0) + 1
        self._rounds[doc.id] = rounds
        if getattr(error, "retryable", False) and rounds < MAX_ROUNDS:
            raise _TryLater(str(error))
        self._rounds.pop(doc.id, None)
        reason = f"{type(error).__name__}: {error}"
        log.warning("document of %s not uploaded: %s", doc.key, reason)
        await asyncio.to_thread(self._record, doc, "failed", guid, reason, error)
        telemetry.document_upload("failed")
        return 0

    async def _write_pdf(self, doc: SourceDocument, guid: str, url: str, directory: Path) -> int:
        """Destination ``files``: the PDF next to the batch files, named by its GUID."""
        assert doc.client_id is not None
        attachment = invoice_attachment(doc.record or {})
        assert attachment is not None
        name = f"{guid} {duo_filename(attachment.filename)}"
        target = directory / doc.client_id / PDF_FOLDER / name
        try:
            data = await self._download(url, RecordRef.parse(doc.key).company_id)
        except (ProcoreError, ValueError) as exc:
            raise _TryLater(str(exc)) from None
        await asyncio.to_thread(write_once, target, data, ExportResult())
        await asyncio.to_thread(self._record, doc, "uploaded", guid, str(target))
        telemetry.document_upload("uploaded")
        return 1

    async def _download(self, url: str, company_id: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.procore.stream_attachment(url, company_id=company_id):
            size += len(chunk)
            if size > MAX_BYTES:
                raise ValueError(f"attachment is larger than DUO's {MAX_BYTES // 2**20} MB limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _record(
        self,
        doc: SourceDocument,
        state: str,
        guid: str,
        text: str,
        error: Exception | None = None,
        elsewhere: str = "",
    ) -> None:
        if state == "uploaded":
            self.ledger.record_upload(doc.id, guid, filename=text, held_elsewhere=elsewhere)
        else:
            retryable = bool(getattr(error, "retryable", False))
            self.ledger.record_upload(doc.id, guid, failure=text, retryable=retryable)
