"""Page languages: German by default, English available; DATEV's own terms in German.

Templates call ``t("English text", name=value)``; the English text is the message id, the German
catalog (``i18n_de``) its translation. A missing translation falls back to English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
DEFAULT_LANGUAGE: Language = "de"
COOKIE = "mlc_lang"


def language(value: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """``value`` if it names a supported language, else ``default``."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGUAGES else default


def translator(lang: Language) -> Callable[..., str]:
    from streams.operator.i18n_de import MESSAGES, PATTERNS

    catalog: dict[str, str] = MESSAGES if lang == "de" else {}
    patterns = PATTERNS if lang == "de" else ()

    def t(text: str, **values: Any) -> str:
        out = catalog.get(text)
        if out is None:
            out = next((p.sub(r, text) for p, r in patterns if p.match(text)), text)
        return out.format(**values) if values else out

    return t
