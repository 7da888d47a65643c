"""Which Procore units the service account may not read, and when to try them again.

A 403 is a configuration problem, not a transient error: the unit (company/project/tool) is
recorded with a named problem and backed off on the shared capped-exponential schedule (5 min,
doubling, at most 6 h), so it is neither skipped silently nor re-polled every cycle. The file
(``procore-access.json`` in the data directory) is what ``doctor`` and the status page show.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from adapters.atomic_file import write_atomic
from adapters.backoff import Backoff
from domain.procore.access import AccessProblem

log = logging.getLogger(__name__)

ACCESS_FILE = "procore-access.json"
BACKOFF = Backoff(base_s=300.0, max_s=6 * 3600.0, jitter=0.2)
_PROBLEMS = TypeAdapter(list[AccessProblem])


def read_access_problems(path: Path) -> list[AccessProblem]:
    """The recorded problems; an absent or unreadable file means none are known."""
    try:
        return _PROBLEMS.validate_json(path.read_bytes())
    except FileNotFoundError:
        return []
    except (ValidationError, ValueError, OSError) as exc:
        log.warning("%s is unreadable (%s); treating every unit as readable", path, exc)
        return []


class AccessRegistry:
    """Problems by unit key, persisted (atomically) when a path is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._problems = {p.key: p for p in read_access_problems(path)} if path else {}

    def problems(self) -> list[AccessProblem]:
        return sorted(self._problems.values(), key=lambda p: p.key)

    def backed_off(self, key: str, now: datetime) -> AccessProblem | None:
        """The problem when ``key`` must not be read yet, else None."""
        problem = self._problems.get(key)
        return problem if problem is not None and now < problem.retry_at else None

    def denied(
        self,
        *,
        company_id: int,
        project_id: int | None,
        resource: str,
        message: str,
        now: datetime,
    ) -> AccessProblem:
        project = "-" if project_id is None else str(project_id)
        key = f"{company_id}:{project}:{resource}"
        before = self._problems.get(key)
        attempts = 1 if before is None else before.attempts + 1
        wait = timedelta(seconds=BACKOFF.delay(attempts))
        problem = AccessProblem(
            company_id=company_id,
            project_id=project_id,
            resource=resource,
            procore_message=message,
            since=now if before is None else before.since,
            retry_at=now + wait,
            attempts=attempts,
        )
        self._problems[key] = problem
        self._save()
        log.error("configuration problem: %s — fix: %s", problem.message, problem.fix)
        return problem

    def granted(self, key: str) -> None:
        if self._problems.pop(key, None) is not None:
            log.info("Procore access to %s works again", key)
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            write_atomic(self.path, _PROBLEMS.dump_json(self.problems(), indent=1))
