"""Reading one poll window completely although Procore changes while we page through it.

Lists are offset-paged (``page``/``per_page``), so a record edited or deleted while we read page
2 shifts every later record one place to the front, and the record on the page boundary is
never seen. The window's end is fixed in the past, so during a read its set of records can only
shrink (an edit moves a record out, into the next window); a shrink shows as a changed
``Total`` or fewer records than ``Total``. Such a read is repeated (ADR 012) until one pass is
consistent; a one-page answer is consistent by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.procore.pagination import Page

MAX_PASSES = 4


@dataclass
class _List:
    first_total: int | None
    last_total: int | None
    pages: int = 0
    items: int = 0


@dataclass
class WindowPages:
    """Collects the pages of one pass (a unit may read several lists, e.g. PO and WO)."""

    lists: list[_List] = field(default_factory=list)

    def __call__(self, page: Page) -> None:
        if page.number == 1 or not self.lists:
            self.lists.append(_List(page.total_hint, page.total_hint))
        current = self.lists[-1]
        current.last_total = page.total_hint
        current.pages += 1
        current.items += len(page.items)

    def consistent(self) -> bool:
        """True when no list can have shifted under us during this pass."""
        for read in self.lists:
            if read.pages <= 1:
                continue
            if read.first_total is None or read.last_total is None:
                return False  # no Total: only a second identical pass can tell
            if read.first_total != read.last_total or read.items < read.first_total:
                return False
        return True
