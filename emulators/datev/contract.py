"""What DATEV documents about its wire protocol, as the emulator enforces it.

Written from DATEV's published OpenAPI specs (accounting_extf-files 3.0.1, accounting_documents
2.1.12, accounting_dxso-jobs 2.1.7, accounting-clients 2.0; trimmed copies and their sources in
``tests/fixtures/datev/``), deliberately not shared with the client in ``adapters/datev``: an
emulator that reuses the client's constants agrees with it by construction.
"""

from __future__ import annotations

import re
from typing import Final

# Every product API wants the app's OAuth client id next to the bearer token (security scheme
# ``client_id``, an apiKey in the header).
CLIENT_ID_HEADER: Final = "X-DATEV-Client-Id"

# Scopes named in the specs' security requirements.
SCOPE_EXTF: Final = "datev:accounting:extf-files-import"
SCOPE_CLIENTS: Final = "datev:accounting:clients"
SCOPE_CLIENTS_READ: Final = "accounting:clients:read"
SCOPE_DOCUMENTS: Final = "accounting:documents"
SCOPE_DXSO: Final = "accounting:dxso-jobs"
LOGIN_SCOPES: Final = (
    "openid",
    "profile",
    "offline_access",
    SCOPE_CLIENTS_READ,
    SCOPE_DOCUMENTS,
    SCOPE_DXSO,
    SCOPE_EXTF,
    SCOPE_CLIENTS,
)

# extf-files: header patterns of POST .../extf-files/import and its size limit.
EXTF_FILENAME: Final = re.compile(r"^EXTF_.{0,51}\.csv$")
REFERENCE_ID_CHARS: Final = re.compile(r"^[-0-9A-Za-z_äöüÄÖÜß. +?;]{0,254}$")
EXTF_MAX_BYTES: Final = 50 * 1024 * 1024
JOB_PAGE_MAX: Final = 100  # ``top`` above 100 (or missing) returns 100

# extf-files validation codes (in ``validation_details.type``, a help URL ending in the code).
EXTF_HELP_URL: Final = "http://www.datev.de/hilfe/"
EXTF_CODE_INVALID_FILE: Final = "1008833"
EXTF_CODE_HEADER: Final = "1008834"
EXTF_CODE_TRY_AGAIN: Final = "1008837"
EXTF_CODE_NO_PERMISSION: Final = "1008838"
EXTF_CODE_MISSING_SCOPE: Final = "1008829"
EXTF_CODE_HEADER_FIELDS: Final = "1008832"  # Filename / Reference-Id do not match the pattern

# documents (DUO Belege online).
DOCUMENT_MAX_BYTES: Final = 20 * 1024 * 1024
DOCUMENT_FILENAME_MAX: Final = 255
NOTE_MAX: Final = 255
METADATA_TEXT_MAX: Final = 30  # document_type, category, folder, register
DCO_MULTIPART: Final = "DCO01004"
DCO_MISSING_SCOPE: Final = "DCO01005"
DCO_UNKNOWN_DOCUMENT_TYPE: Final = "DCO01010"
DCO_GUID_EXISTS: Final = "DCO01012"  # 409 KeyConflictFault on PUT with a used GUID
DCO_FILE_TYPE: Final = "DCO01015"
DCO_FILE_SIZE: Final = "DCO01016"
DCO_FILENAME_TOO_LONG: Final = "DCO01222"
DCO_NOTE_TOO_LONG: Final = "DCO01223"
DCO_DUPLICATE_FILE: Final = "DCO01253"  # 400 DuplicateFileFault: already in Belege online
# File names: characters outside this list are replaced by "_" on DATEV's side.
DOCUMENT_FILENAME_CHARS: Final = re.compile(r"[ &()+\-._0-9A-Za-zÀ-ÖØ-öø-ÿ]")

# dxso-jobs: import types and job states.
DXSO_IMPORT_TYPES: Final = (
    "accountsPayableLedgerImport",
    "accountsReceivableLedgerImport",
    "cashLedgerImport",
)
DXSO_OPEN, DXSO_RUNNING, DXSO_DONE, DXSO_FAILED, DXSO_PARTLY = 0, 1, 2, 3, 4
DXSO_CANCELLED, DXSO_CANCEL_FAILED = 5, 6
DCO_DXSO_TARGET: Final = "DCO01002"  # client not configured for this import
DCO_DXSO_STATE: Final = "DCO01007"  # operation not allowed in the job's state

# Not documented by DATEV: an opt-in fault (a second upload of a file name answered 409).
DUPLICATE_EXTF_STATUS: Final = 409
DUPLICATE_EXTF_TYPE: Final = "urn:ml-connector:emulator-fault:extf-duplicate-filename"
DUPLICATE_EXTF_TITLE: Final = "A file with this name was already imported for this client"
