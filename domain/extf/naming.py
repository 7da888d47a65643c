"""Deterministic EXTF file names matching ``EXTF_.{0,51}\\.csv``."""

from __future__ import annotations

import re
from datetime import date

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
FILENAME_PATTERN = re.compile(r"^EXTF_.{0,51}\.csv$")


def period_label(date_from: date, date_to: date) -> str:
    """``202610`` for one month, ``202610-202612`` for several."""
    a, b = f"{date_from:%Y%m}", f"{date_to:%Y%m}"
    return a if a == b else f"{a}-{b}"


def extf_filename(client_id: str, kind: str, period: str, content_sha: str) -> str:
    """``EXTF_<kind>_<client>_<period>_<sha>.csv``; disallowed characters become ``_``.

    The hash part gets whatever room is left of the 51 characters (at least 8 hex digits).
    """
    base = _UNSAFE.sub("_", f"{kind}_{client_id}_{period}_")
    room = 51 - len(base)
    if room < 8:
        raise ValueError(f"kind/client/period too long for a DATEV file name: {base!r}")
    return f"EXTF_{base}{content_sha[:room]}.csv"
