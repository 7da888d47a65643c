"""The DATEV login's last known state, shared by the worker and every surface that reports it.

The worker's gateway writes it when DATEV rejects the refresh token or the app credentials
(and clears it when a token call works again); a new login or new credentials clear it too.
``datev status``, ``doctor``, ``/readyz`` and the status page read it, so all of them say
"DATEV login needed" from the moment the worker found out — whichever process asks.
The file sits next to the vault (the same data directory) and holds no secrets.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import orjson
from pydantic import BaseModel, ValidationError

from adapters.atomic_file import write_atomic

LOGIN_STATE_FILE = "datev-login-state.json"
LOGIN_NEEDED = "DATEV login needed — run `ml-connector datev login`"
CREDENTIALS_NEEDED = "DATEV refused the app credentials — run `ml-connector datev credentials`"


class LoginState(BaseModel):
    problem: Literal["login", "credentials"]
    detail: str
    since: datetime

    def headline(self) -> str:
        return LOGIN_NEEDED if self.problem == "login" else CREDENTIALS_NEEDED

    def describe(self) -> str:
        return f"{self.headline()} ({self.detail}; since {self.since:%Y-%m-%d %H:%M} UTC)"


def state_path(data_dir: Path) -> Path:
    return data_dir / LOGIN_STATE_FILE


def read_login_state(data_dir: Path) -> LoginState | None:
    try:
        return LoginState.model_validate(orjson.loads(state_path(data_dir).read_bytes()))
    except (OSError, orjson.JSONDecodeError, ValidationError):
        return None


def record_login_problem(
    data_dir: Path, problem: Literal["login", "credentials"], detail: str
) -> LoginState:
    """Write the problem (atomically; the first ``since`` is kept while it persists)."""
    earlier = read_login_state(data_dir)
    since = earlier.since if earlier and earlier.problem == problem else datetime.now(UTC)
    state = LoginState(problem=problem, detail=detail, since=since)
    write_atomic(state_path(data_dir), orjson.dumps(state.model_dump(mode="json")), mode=0o600)
    return state


def clear_login_problem(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        state_path(data_dir).unlink()
