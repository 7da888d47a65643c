"""Replacing a file atomically: a reader (or a watcher) sees the old file or the new, never half."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(
    path: Path, data: bytes | str, *, mode: int = 0o644, durable: bool = False
) -> None:
    """Write ``data`` to a temp file beside ``path`` (created with ``mode``), then rename it
    over ``path``; parent directories are created. ``durable``: fsync the data first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, path)
