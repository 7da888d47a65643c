"""One logging setup for the worker and the CLI: JSON lines or rich text, secrets masked.

- JSON lines (orjson) when ``log_format = "json"``, or ``"auto"`` and stderr is not a terminal:
  ``ts``, ``level``, ``logger``, ``msg``, plus ``record``/``batch``/``client``/``job`` when a
  call passes them with ``extra=`` and ``exc`` for tracebacks.
- Human-readable (rich) on a terminal.
- Every record passes a filter that replaces known secret values (registered at startup and
  later with :func:`register_secrets`) and bearer tokens / ``secret=…`` pairs with ``***``.

faust's worker configures logging itself unless it is built with ``override_logging=False``;
with that flag its loggers (``faust``, ``mode``, ``aiokafka``) propagate to the root handler here.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, SecretStr
from rich.console import Console
from rich.logging import RichHandler

from streams.config.quiet_http import quiet_malformed_requests
from streams.config.settings import LogFormat, Settings
from streams.config.typos import warn_unknown_settings

CONTEXT_FIELDS = ("record", "batch", "client", "job", "company", "project")
MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words; no real secret is this short
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
# Rebalance chatter and one line per HTTP request (query strings included): debug only.
NOISY_LOGGERS = ("aiokafka", "kafka", "httpx", "httpcore")

_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_PAIR = re.compile(
    r"(?i)\b(access_token|refresh_token|id_token|client_secret|code_verifier|password|secret)"
    r"([\"']?\s*[:=]\s*[\"']?)([^\"'\s&,;}]{4,})"
)


class SecretMask:
    """Known secret values and token patterns, replaced by ``***``."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._literal: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            fresh = {v for v in values if v and len(v) >= MIN_SECRET_LENGTH} - self._values
            if not fresh:
                return
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)  # longest first: no partials
            self._literal = re.compile("|".join(re.escape(v) for v in ordered))

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._literal = None

    def mask(self, text: str) -> str:
        literal = self._literal
        if literal is not None:
            text = literal.sub(MASK, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        return _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


SECRETS = SecretMask()


class MaskSecrets(logging.Filter):
    """Renders the message and traceback once, masked, so no formatter sees the raw values."""

    def __init__(self, mask: SecretMask = SECRETS) -> None:
        super().__init__()
        self.secrets = mask

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.secrets.mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.secrets.mask(record.exc_text)
            record.exc_info = None  # the masked text is what gets printed
        if record.stack_info:
            record.stack_info = self.secrets.mask(record.stack_info)
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if isinstance(value, str):
                setattr(record, name, self.secrets.mask(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        doc: dict[str, Any] = {
            "ts": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                ok = isinstance(value, str | int | float | bool)
                doc[name] = value if ok else str(value)
        if record.exc_text:
            doc["exc"] = record.exc_text
        elif record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            doc["stack"] = record.stack_info
        return orjson.dumps(doc).decode()


class _ContextText(logging.Formatter):
    """Message plus ``[record=… batch=…]`` for the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ctx = [f"{n}={record.__dict__[n]}" for n in CONTEXT_FIELDS if record.__dict__.get(n)]
        return f"{text} [{' '.join(ctx)}]" if ctx else text


def resolve_format(wanted: LogFormat, stream: Any = None) -> str:
    """``json`` or ``text``; ``auto`` means text exactly when the stream is a terminal."""
    if wanted != "auto":
        return wanted
    stream = stream if stream is not None else sys.stderr
    try:
        return "text" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def build_handler(kind: str, stream: Any = None) -> logging.Handler:
    stream = stream if stream is not None else sys.stderr
    handler: logging.Handler
    if kind == "json":
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
    else:
        console = Console(file=stream, stderr=stream is sys.stderr, soft_wrap=True)
        handler = RichHandler(console=console, show_path=False, markup=False)
        handler.setFormatter(_ContextText("%(message)s"))
    handler.addFilter(MaskSecrets())
    setattr(handler, "_mlc", True)  # noqa: B010  # ours: replaced on reconfiguration
    return handler


def secret_values(model: BaseModel) -> list[str]:
    """Every ``SecretStr`` value in a pydantic model (settings, vault secrets), recursively."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            found += secret_values(value)
    return found


def register_secrets(values: Iterable[str]) -> None:
    """Mask these values from now on (e.g. credentials read from the vault after startup)."""
    SECRETS.add(values)


def configure_logging(
    settings: Settings | None, secrets: Iterable[str] = (), *, stream: Any = None
) -> None:
    """Install the one root handler; call once per process, before faust starts.

    ``settings=None`` (settings could not be loaded) uses level info and ``MLC_LOG_FORMAT``.
    Calling again replaces our handler, never handlers others installed (e.g. pytest's).
    """
    if settings is not None:
        level, wanted = LEVELS[settings.log_level], settings.log_format
        SECRETS.add(secret_values(settings))
    else:
        level = logging.INFO
        env = os.environ.get("MLC_LOG_FORMAT", "auto")
        wanted = env if env in ("json", "text") else "auto"  # type: ignore[assignment]
    SECRETS.add(secrets)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_mlc", False)]:
        root.removeHandler(old)
    root.addHandler(build_handler(resolve_format(wanted, stream), stream))
    root.setLevel(level)
    for name in ("faust", "mode"):
        logging.getLogger(name).propagate = True
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.WARNING)
    logging.captureWarnings(True)
    quiet_malformed_requests()
    warn_unknown_settings()


def configure_cli_logging() -> None:
    """For the CLI's root callback: settings if they load, else defaults (the command itself
    reports bad settings; ``init`` must run before any settings exist)."""
    from streams.config.settings import SettingsError, load_settings

    try:
        settings: Settings | None = load_settings()
    except SettingsError:
        settings = None
    configure_logging(settings)
