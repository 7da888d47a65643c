"""DATEV Unternehmen Online documents: the name DUO stores, the GUID, the upload's parts.

A document is PUT under a GUID we choose (:func:`document_guid`: the same source record and the
same bytes give the same GUID, so a repeated upload is recognised as done), with its file name
cleaned the way DUO stores it and its document type in a JSON ``metadata`` part.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from typing import IO, Any

import orjson
from pydantic import BaseModel

from adapters.datev import protocol as p


class DocumentType(BaseModel):
    name: str
    category: str = ""
    debit_credit_identifier: str | None = None


class UploadedDocument(BaseModel):
    guid: str
    already_present: bool = False


def duo_filename(name: str) -> str:
    """The file name as DUO stores it: NFC, forbidden characters → ``_``, ≤ 255 characters."""
    text = unicodedata.normalize("NFC", name)
    clean = "".join(c if p.DOCUMENT_FILENAME_CHAR.fullmatch(c) else "_" for c in text)
    if len(clean) <= p.DOCUMENT_FILENAME_MAX:
        return clean or "document"
    stem, dot, ext = clean.rpartition(".")
    if not dot or len(ext) > 10:
        return clean[: p.DOCUMENT_FILENAME_MAX]
    return f"{stem[: p.DOCUMENT_FILENAME_MAX - len(ext) - 1]}.{ext}"


def document_parts(
    filename: str, content: bytes | IO[bytes], document_type: str, note: str = ""
) -> dict[str, tuple[Any, ...]]:
    """The multipart body of one upload: the file under its DUO name, then its metadata."""
    filename = duo_filename(filename)
    metadata = orjson.dumps({"document_type": document_type, "note": note[:255]})
    pdf = filename.lower().endswith(".pdf")
    return {
        "file": (filename, content, "application/pdf" if pdf else "application/octet-stream"),
        "metadata": (None, metadata, "application/json"),
    }


def document_guid(source_key: str, content: bytes) -> str:
    """Deterministic DUO GUID: same source record and same bytes → same GUID."""
    digest = hashlib.sha256(content).hexdigest()
    return str(uuid.uuid5(_DOCUMENT_NAMESPACE, f"{source_key}:{digest}"))


_DOCUMENT_NAMESPACE = uuid.UUID("0f6a3c52-4d0e-4f5e-9a51-3f2d9c1b7e44")
