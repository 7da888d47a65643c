"""Test order for parallel runs: the long whole-worker tests start first, one per process.

xdist's ``load`` scheduler hands each process the next test and keeps one more queued behind
it; interleaving long and short tests keeps a short one (not another long one) in that queue.
"""

from __future__ import annotations

import pytest

# Top-level test directories whose tests run the worker as an OS process (tens of seconds
# each), longest first.
_LONG_DIRS = ("reliability", "e2e", "bench")


def _rank(item: pytest.Item) -> tuple[int, int]:
    top = item.nodeid.split("/")[1] if item.nodeid.startswith("tests/") else ""
    where = _LONG_DIRS.index(top) if top in _LONG_DIRS else len(_LONG_DIRS)
    return (where, 0 if item.get_closest_marker("slow") else 1)


def longest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """Long tests (by directory, then the ``slow`` mark) interleaved with the others."""
    short_rank = (len(_LONG_DIRS), 1)
    # sorted() is stable: collection order within a rank.
    long = sorted((i for i in items if _rank(i) != short_rank), key=_rank)
    chosen = {id(i) for i in long}
    short = [i for i in items if id(i) not in chosen]
    out: list[pytest.Item] = []
    for n, item in enumerate(long):
        out.append(item)
        if n < len(short):
            out.append(short[n])
    out.extend(short[len(long) :])
    return out
