"""Autoescaping jinja2 templates of the operator pages and the month-end report."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from streams.operator.i18n import DEFAULT_LANGUAGE, Language, translator

_ENV = Environment(
    loader=PackageLoader("streams.operator", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=lambda value: "" if value is None else value,
)


def money(value: Decimal, lang: Language = DEFAULT_LANGUAGE) -> str:
    """``1,234.50`` in English, ``1.234,50`` in German."""
    text = f"{value:,.2f}"
    if lang == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def render(name: str, lang: Language = DEFAULT_LANGUAGE, **context: Any) -> str:
    """The named template rendered in ``lang`` (``t`` translates, ``money`` formats)."""
    t: Callable[..., str] = translator(lang)
    return _ENV.get_template(name).render(t=t, lang=lang, money=lambda v: money(v, lang), **context)
