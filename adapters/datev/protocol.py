"""Facts about DATEV's wire protocol shared by the client and the emulator (reference §4–5).

Anything here that is *not* confirmed by DATEV's specs says so; change it here and both sides
follow.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version
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

# Validation codes of the extf-files API [D].
EXTF_CODE_MISSING_SCOPE: Final = "1008829"
EXTF_CODE_NO_PERMISSION: Final = "1008838"

# DUO (documents API) codes [D].
DCO_GUID_EXISTS: Final = "DCO01012"  # 409 on PUT with an existing GUID
DCO_DUPLICATE_FILE: Final = "DCO01253"  # 400 DuplicateFileFault
DCO_UNKNOWN_DOCUMENT_TYPE: Final = "DCO01010"
DCO_MISSING_SCOPE: Final = "DCO01005"

# DATEV documents no duplicate-filename rule: every POST creates a job (accounting_extf-files
# 3.0.1). The emulator can be told to answer a repeated name with this problem (an opt-in
# fault); the client then resolves it from the job list, as it does after a crash.
DUPLICATE_EXTF_TYPE: Final = "urn:ml-connector:emulator-fault:extf-duplicate-filename"

EXTF_CODE_TRY_AGAIN: Final = "1008837"  # the job failed inside DATEV; upload again


def _app_version() -> str:
    try:
        return f"ml-connector {_version('ml-connector')}"
    except PackageNotFoundError:
        return "ml-connector"


CLIENT_APPLICATION_VERSION: Final = _app_version()

# Reference-Id: ≤254 chars of [-0-9A-Za-z_äöüÄÖÜß. +?;] [D]. The client appends the file's
# sha256 so a duplicate can be recognised from the job list alone (no emulator-only field).
REFERENCE_ID_CHARS: Final = re.compile(r"^[-0-9A-Za-z_äöüÄÖÜß. +?;]{0,254}$")
REFERENCE_SHA_MARK: Final = " sha256 "

# DUO file names [D, documents 2.1.12]: UTF-8 precomposed (NFC), at most 255 characters; DUO
# replaces characters outside this list with "_" (we do it first, so the name we record is the
# name DUO shows).
DOCUMENT_FILENAME_MAX: Final = 255
DOCUMENT_FILENAME_CHAR: Final = re.compile(r"[ &()+\-._0-9A-Za-zÀ-ÖØ-öø-ÿ]")
