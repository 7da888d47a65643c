"""Mapping files edited outside the editor (by hand, the CLI) take effect without a restart."""

from __future__ import annotations

import logging
from pathlib import Path

from streams.errors import ConnectorError
from streams.ledger.rules import BookingRules, load_rules

log = logging.getLogger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


def _stamp(paths: list[Path]) -> Stamp:
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), -1, -1))
        else:
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


class MappingWatcher:
    """Reloads ``rules`` in place when a mapping file changed and still passes the check."""

    def __init__(self, rules: BookingRules, paths: list[Path]) -> None:
        self.rules = rules
        self.paths = paths
        self._seen = _stamp(paths)

    def check(self) -> bool:
        """True if the rules were reloaded; an invalid file is logged and the old rules kept."""
        now = _stamp(self.paths)
        if now == self._seen:
            return False
        self._seen = now
        try:
            fresh = load_rules(self.paths)
        except ConnectorError as exc:
            log.error("mapping change not applied, the previous mapping stays in force: %s", exc)
            return False
        self.rules.reload(fresh)
        log.info("mapping reloaded from %s", ", ".join(str(p) for p in self.paths))
        return True
