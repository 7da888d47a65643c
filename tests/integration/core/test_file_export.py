"""Batches as files: `batches export` and the per-client destination `files`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domain.mapping import DeliverySettings
from emulators.datev.extf_check import check_extf
from streams.ledger.rules import BookingRules
from streams.operator.actions import batch_rows, iter_batches
from streams.stages.file_export import (
    PDF_FOLDER,
    ExportConflict,
    ExportResult,
    export_extf,
    export_pdfs,
)
from tests.support.delivery import DeliveryStack


def _check_all(stack: DeliveryStack, folder: Path) -> list[Path]:
    chart = stack.datev.state.clients[stack.rules.client_id].chart
    files = sorted(folder.glob("EXTF_*.csv"))
    for f in files:
        result = check_extf(f.read_bytes(), chart)
        assert result.ok, (f.name, [x.reason for x in result.findings])
    return files


async def test_export_writes_valid_files_and_pdfs_once(
    stack: DeliveryStack, tmp_path: Path
) -> None:
    stack.backfill()
    out = tmp_path / "export"
    first = ExportResult()
    for batch in iter_batches(stack.ledger):
        export_extf(batch, stack.rules, out, first)
        await export_pdfs(stack.ledger, batch, out, stack.uploader.procore, first)
    folder = out / stack.rules.client_id
    files = _check_all(stack, folder)
    assert len(files) == 2  # creditor master file and Buchungsstapel
    pdfs = list((folder / PDF_FOLDER).iterdir())
    assert len(pdfs) == len(stack.approved()) and not first.missing_pdfs
    again = ExportResult()
    for batch in iter_batches(stack.ledger):
        export_extf(batch, stack.rules, out, again)
        await export_pdfs(stack.ledger, batch, out, stack.uploader.procore, again)
    assert again.written == [] and len(again.unchanged) == len(first.written)  # idempotent
    files[0].write_bytes(files[0].read_bytes() + b"edited by hand")
    with pytest.raises(ExportConflict, match="different content"):
        export_extf(next(iter(iter_batches(stack.ledger))), stack.rules, out, ExportResult())


async def test_destination_files_writes_instead_of_calling_datev(
    stack: DeliveryStack, tmp_path: Path
) -> None:
    out = tmp_path / "for-the-advisor"
    files_rules = dataclasses.replace(
        stack.rules,
        mapping=stack.rules.mapping.model_copy(
            update={"delivery": DeliverySettings(destination="files", directory=str(out))}
        ),
    )
    stack.submitter.rules.reload(BookingRules([files_rules]))
    stack.backfill()
    assert await stack.uploader.run_once() == len(stack.approved())
    stack.datev.auth.revoke_refresh_tokens()  # a DATEV login problem does not hold batches up
    stack.submitter.gateway.pause.hit()
    assert not stack.submitter.gateway.may_call()
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev.state.jobs == {} and stack.datev.state.documents(stack.rules.client_id) == []
    folder = out / stack.rules.client_id
    assert len(_check_all(stack, folder)) == 2
    assert len(list((folder / PDF_FOLDER).iterdir())) == len(stack.approved())


def test_destination_files_needs_a_directory() -> None:
    with pytest.raises(ValueError, match=r"needs delivery\.directory"):
        DeliverySettings(destination="files")


async def test_a_batch_already_at_datev_stays_there_after_a_switch_to_files(
    stack: DeliveryStack, tmp_path: Path
) -> None:
    stack.backfill()
    stack.datev.faults.job_delay_s = 3600  # the creditor file's job stays pending
    await stack.submitter.run_once()
    assert len(stack.datev.state.jobs) == 1
    out = tmp_path / "for-the-advisor"
    files_rules = dataclasses.replace(
        stack.rules,
        mapping=stack.rules.mapping.model_copy(
            update={"delivery": DeliverySettings(destination="files", directory=str(out))}
        ),
    )
    stack.submitter.rules.reload(BookingRules([files_rules]))
    await stack.submitter.run_once()
    assert not out.exists()  # not written out as well: DATEV may import it
    (batch,) = list(iter_batches(stack.ledger))
    assert batch.state == "submitted"
    assert batch.jobs["creditors"]["job_id"] in stack.datev.state.jobs
