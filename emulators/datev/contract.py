"""What DATEV documents about its wire protocol, as the emulator enforces it.

Written from DATEV's published material (``tests/fixtures/datev/SOURCES.md``), deliberately not
shared with the client in ``adapters/datev``: an emulator that reuses the client's constants
agrees with it by construction.
"""

from __future__ import annotations

import re
from typing import Final

CLIENT_ID_HEADER: Final = "X-DATEV-Client-Id"

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

EXTF_FILENAME: Final = re.compile(r"^EXTF_.{0,51}\.csv$")
EXTF_MAX_BYTES: Final = 50 * 1024 * 1024
DOCUMENT_MAX_BYTES: Final = 20 * 1024 * 1024

EXTF_CODE_MISSING_SCOPE: Final = "1008829"
EXTF_CODE_NO_PERMISSION: Final = "1008838"

DCO_GUID_EXISTS: Final = "DCO01012"
DCO_DUPLICATE_FILE: Final = "DCO01253"
DCO_UNKNOWN_DOCUMENT_TYPE: Final = "DCO01010"
DCO_MISSING_SCOPE: Final = "DCO01005"

# Not documented by DATEV: an opt-in fault (a second upload of a file name answered 409).
DUPLICATE_EXTF_STATUS: Final = 409
DUPLICATE_EXTF_TYPE: Final = "urn:ml-connector:emulator-fault:extf-duplicate-filename"
DUPLICATE_EXTF_TITLE: Final = "A file with this name was already imported for this client"

REFERENCE_ID_CHARS: Final = re.compile(r"^[-0-9A-Za-z_äöüÄÖÜß. +?;]{0,254}$")
