"""psycopg's pipeline: wait until the last command is on the wire before waiting for results.

eventsourcing inserts a fold's events in one pipeline (``LOCK TABLE``, many ``INSERT``s, Sync).
psycopg's pure-Python pipeline loop stops sending once its command queue is empty, even when
libpq's last ``flush()`` reported data still in its buffer (the socket was full, e.g. while the
server waited for the table lock); it then waits for results the server cannot send, because
the rest of the message — or the Sync that makes it answer — never left the client. Seen in the
benchmark as a worker idle for minutes with the server in ``ClientRead`` inside the INSERT. This
loop is psycopg's own with one change: it leaves only when ``flush()`` returned 0. Installed for
the pure-Python libpq wrapper only (the C implementation has its own loop).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import psycopg
from psycopg import _pipeline_base, generators
from psycopg import errors as e
from psycopg.pq import ExecStatus
from psycopg.waiting import READY_R, READY_W, Wait

_COPY = (ExecStatus.COPY_IN, ExecStatus.COPY_OUT, ExecStatus.COPY_BOTH)


def pipeline_communicate(pgconn: Any, commands: deque[Any]) -> Any:
    """Send queued commands while receiving results; return the results (psycopg's contract)."""
    results: list[list[Any]] = []
    while True:
        while not (ready := (yield Wait.RW)):
            continue
        if ready & READY_R:
            pgconn.consume_input()
            generators._consume_notifies(pgconn)
            res: list[Any] = []
            while not pgconn.is_busy():
                if (r := pgconn.get_result()) is None:
                    if not res:
                        break
                    results.append(res)
                    res = []
                elif r.status == ExecStatus.PIPELINE_SYNC:
                    results.append([r])
                elif r.status in _COPY:
                    raise e.NotSupportedError("COPY cannot be used in pipeline mode")
                else:
                    res.append(r)
        if ready & READY_W:
            unsent = pgconn.flush()
            if not commands:
                if unsent:
                    continue  # the socket is full: wait until it takes the rest
                break
            commands.popleft()()
    return results


def install() -> None:
    """Use this loop for every pipeline of the process (idempotent)."""
    if psycopg.pq.__impl__ == "python":
        _pipeline_base.pipeline_communicate = pipeline_communicate  # type: ignore[attr-defined]
