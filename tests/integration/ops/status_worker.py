"""`ml-connector worker` with the status page mounted, as the lead's one-line wiring will do.

Run as ``python -m tests.integration.ops.status_worker`` with the worker's MLC_* environment.
"""

from __future__ import annotations

from typing import Any

from streams.commands import worker as worker_command
from streams.settings import Settings, load_settings
from streams.status.routes import register_status_page

_build = worker_command.build_worker


def build_with_status_page(settings: Settings, servers: str) -> Any:
    built = _build(settings, servers)
    register_status_page(built.app, built, settings)
    return built


if __name__ == "__main__":
    worker_command.build_worker = build_with_status_page  # type: ignore[assignment]
    worker_command.run_worker(load_settings())
