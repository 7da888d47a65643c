"""Clients, document types and DUO document uploads against the emulator."""

from __future__ import annotations

import io

import pytest

from adapters.datev.client import DatevClient
from adapters.datev.documents import document_guid
from adapters.datev.errors import (
    DatevDuplicateDocument,
    DatevForbidden,
    DatevNotFound,
    DatevUnknownDocumentType,
)
from emulators.datev import DatevEmulator

CLIENT = "455148-1"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"x" * 2048


async def test_list_clients_and_document_types(api: DatevClient) -> None:
    clients = await api.list_clients()
    assert [(c.id, c.consultant_number, c.client_number) for c in clients] == [(CLIENT, 455148, 1)]
    assert clients[0].has_service("Buchungsdatenservice")
    types = await api.document_types(CLIENT)
    assert "Rechnungseingang" in {t.name for t in types}
    detail = await api.get_client(CLIENT)
    assert detail["basic_accounting_information"][0]["account_length"] == 4


async def test_unknown_and_forbidden_clients(emu: DatevEmulator, api: DatevClient) -> None:
    with pytest.raises(DatevNotFound):
        await api.document_types("1-1")
    next(iter(emu.state.clients.values())).permitted = False
    with pytest.raises(DatevForbidden, match="Rechteverwaltung") as info:
        await api.document_types(CLIENT)
    assert not info.value.retryable


async def test_pdf_upload_is_stored_and_a_repeat_is_already_present(
    emu: DatevEmulator, api: DatevClient
) -> None:
    guid = document_guid("42:7:requisition:1001", PDF)
    assert guid == document_guid("42:7:requisition:1001", PDF)  # deterministic
    first = await api.upload_document(
        CLIENT, guid, "RE-2026-0042.pdf", io.BytesIO(PDF), "Rechnungseingang", "Procore 1001"
    )
    again = await api.upload_document(CLIENT, guid, "RE-2026-0042.pdf", PDF, "Rechnungseingang")
    assert not first.already_present and again.already_present
    (doc,) = emu.state.documents(CLIENT)
    assert (doc.guid, doc.filename, doc.size, doc.note) == (
        guid, "RE-2026-0042.pdf", len(PDF), "Procore 1001",
    )  # fmt: skip


async def test_same_file_name_and_type_under_another_guid_is_a_duplicate(
    emu: DatevEmulator, api: DatevClient
) -> None:
    await api.upload_document(CLIENT, document_guid("a", PDF), "R1.pdf", PDF, "Rechnungseingang")
    with pytest.raises(DatevDuplicateDocument, match="rename it or change the document type"):
        await api.upload_document(
            CLIENT, document_guid("b", PDF), "R1.pdf", PDF + b"!", "Rechnungseingang"
        )
    await api.upload_document(CLIENT, document_guid("c", PDF), "R1.pdf", PDF, "Sonstige")
    assert len(emu.state.documents(CLIENT)) == 2


async def test_unknown_document_type(api: DatevClient) -> None:
    with pytest.raises(DatevUnknownDocumentType, match="DCO01010"):
        await api.upload_document(CLIENT, document_guid("a", PDF), "R.pdf", PDF, "Eingangsrechnung")
