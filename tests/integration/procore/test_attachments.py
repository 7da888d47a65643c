"""Invoice PDF download: streamed, redirected to storage without the Procore token."""

from __future__ import annotations

import inspect

import httpx
import pytest

from adapters.procore.errors import ProcoreError
from tests.integration.procore.conftest import first_project


async def test_invoice_pdf_is_streamed_in_chunks_through_the_storage_redirect(emu, client) -> None:
    project_id = first_project(emu)
    summaries = [r async for r in client.list_requisitions(emu.company_id, project_id)]
    summary = summaries[0]
    requisition = await client.get_requisition(emu.company_id, project_id, summary.id)
    attachment = requisition.attachments[0]
    assert attachment.content_type == "application/pdf"
    chunks_iter = client.stream(attachment.url, company_id=emu.company_id, chunk_size=256)
    assert inspect.isasyncgen(chunks_iter)
    chunks = [chunk async for chunk in chunks_iter]
    pdf = b"".join(chunks)
    assert len(chunks) > 1
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert requisition.invoice_number is not None
    assert requisition.invoice_number.encode() in pdf
    # the storage host refuses requests carrying Authorization (as S3 does); none were refused
    assert emu.counters.by_status[400] == 0
    assert emu.counters.by_endpoint["GET /storage/{id}/{name}"] == 1


async def test_storage_rejects_a_forwarded_token(emu, client) -> None:
    token = await client.tokens.token()
    async with httpx.AsyncClient(follow_redirects=True) as naive:
        response = await naive.get(
            f"{emu.base_url}/prostore/files/{next(iter(emu.state.files))}",
            headers={"Authorization": f"Bearer {token}"},
        )
    # httpx strips Authorization only on cross-origin redirects; same-origin keeps it
    assert response.status_code == 400
    assert "Only one auth mechanism allowed" in response.text


async def test_attachment_on_a_foreign_host_gets_no_token(emu, client) -> None:
    assert not client.is_trusted_host("https://evil.example/files/1")
    assert not client.is_trusted_host("http://storage.procore.com/x")
    assert client.is_trusted_host("https://storage.procore.com/x")
    assert client.is_trusted_host(emu.base_url + "/prostore/files/1")
    with pytest.raises(ProcoreError):
        await client.get_json("https://evil.example/rest/v1.0/companies", company_id=1)
