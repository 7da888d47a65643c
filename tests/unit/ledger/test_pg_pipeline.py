"""The pipeline loop leaves only once libpq has sent everything (a full socket is waited out)."""

from __future__ import annotations

from collections import deque
from typing import Any

from psycopg.waiting import Ready, Wait

from streams.ledger.pg_pipeline import pipeline_communicate


class Conn:
    """libpq's side as the loop sees it: ``flush`` answers 1 while data is left unsent."""

    def __init__(self, unsent: list[int]) -> None:
        self.unsent = unsent
        self.flushes = 0

    def flush(self) -> int:
        self.flushes += 1
        return self.unsent.pop(0) if self.unsent else 0

    def consume_input(self) -> None: ...

    def notifies(self) -> None:
        return None

    def is_busy(self) -> bool:
        return False

    def get_result(self) -> Any:
        return None


def drive(conn: Conn, commands: deque[Any]) -> int:
    """Run the loop with the socket always writable; how many waits it asked for."""
    loop = pipeline_communicate(conn, commands)
    waits = 0
    asked = next(loop)
    try:
        while True:
            assert asked == Wait.RW
            waits += 1
            asked = loop.send(Ready.W)
    except StopIteration:
        return waits


def test_waits_until_the_last_flush_sent_everything() -> None:
    sent: list[str] = []
    conn = Conn(unsent=[0, 1, 1, 0])  # the Sync's flush leaves data twice
    waits = drive(conn, deque([lambda: sent.append("insert"), lambda: sent.append("sync")]))
    assert sent == ["insert", "sync"]
    assert conn.flushes == 4 and waits == 4  # psycopg's loop left after the third flush


def test_leaves_at_once_when_everything_was_sent() -> None:
    conn = Conn(unsent=[])
    assert drive(conn, deque([lambda: None])) == 2
    assert conn.flushes == 2
