"""Fault switches of the DATEV emulator; tests flip them directly, operators via the admin API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Faults:
    """What the emulator should do wrong; ``server_errors`` and ``rate_limits`` count down."""

    deny_consent: bool = False  # /openid/authorize redirects with error=access_denied
    job_delay_s: float = 0.0  # EXTF jobs stay pending this long (emulator clock)
    job_retry_after_s: float = -1.0  # Retry-After of an upload; < 0: job_delay_s
    fail_jobs: bool = False  # every EXTF job fails with ``fail_message``
    fail_message: str = "the booking batch was rejected by the emulator's fault switch"
    server_errors: int = 0  # the next N API calls answer ``server_error_status``
    server_error_status: int = 503
    rate_limits: int = 0  # the next N API calls answer 429 with Retry-After
    retry_after_s: int = 1
    # Not documented by DATEV: answer a repeated Filename with 409 (the old emulator's rule).
    reject_duplicate_filenames: bool = False
    try_again_jobs: int = 0  # the next N EXTF jobs fail with 1008837 ("try again")
    # Crash windows: after storing a job/document, wait this long (real time) before answering.
    hold_import_s: float = 0.0
    hold_document_s: float = 0.0
    hold_dxso_create_s: float = 0.0  # a DXSO job is created, its id answered this late
    hold_dxso_ready_s: float = 0.0  # a DXSO job is finalised, the 204 answered this late

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update (admin endpoint); unknown names raise ``KeyError``."""
        known = {f.name: f.type for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise KeyError(name)
            current = getattr(self, name)
            setattr(self, name, type(current)(value))

    def take_server_error(self) -> bool:
        if self.server_errors > 0:
            self.server_errors -= 1
            return True
        return False

    def take_rate_limit(self) -> bool:
        if self.rate_limits > 0:
            self.rate_limits -= 1
            return True
        return False

    def take_try_again(self) -> bool:
        if self.try_again_jobs > 0:
            self.try_again_jobs -= 1
            return True
        return False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
