"""Server-rendered HTML of the status page: jinja2 templates (autoescaped), no JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams.operator.i18n import DEFAULT_LANGUAGE, Language, translator
from streams.operator.render import render

DECISION_CLASS = {"batched": "ok", "planned": "ok", "parked": "fail", "ignored": "warn"}
STATE_CLASS = {
    "completed": "ok",
    "submitted": "warn",
    "sealed": "warn",
    "in_review": "warn",
    "approved": "ok",
    "rejected": "fail",
    "failed": "fail",
}


@dataclass(frozen=True)
class View:
    """How one response is shown: its language and how to link the same page in another."""

    lang: Language = DEFAULT_LANGUAGE
    switch_url: Callable[[str], str] = lambda code: f"?lang={code}"


def page(
    template: str,
    title: str,
    view: View | None = None,
    *,
    note: str = "",
    note_kind: str = "",
    title_args: dict[str, Any] | None = None,
    **context: Any,
) -> str:
    """A whole page: ``status/<template>.html`` in the shared layout; ``title`` is translated."""
    view = view or View()
    return render(
        f"status/{template}.html",
        view.lang,
        title=translator(view.lang)(title, **(title_args or {})),
        note=note,
        note_kind=note_kind,
        switch_url=view.switch_url,
        decision_class=DECISION_CLASS,
        state_class=STATE_CLASS,
        **context,
    )
