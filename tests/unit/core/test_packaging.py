"""The production image carries runtime dependencies only, and no emulator code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEV_ONLY = {"pytest", "mypy", "ruff", "playwright", "hypothesis", "import-linter", "pytest-xdist"}


def _pins(lock: str) -> set[str]:
    text = (ROOT / lock).read_text()
    return {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", text, re.M)}


def test_runtime_lock_has_no_dev_packages() -> None:
    runtime = _pins("requirements.lock")
    assert "faust-streaming" in runtime and "jinja2" in runtime
    assert runtime.isdisjoint(DEV_ONLY), runtime & DEV_ONLY


def test_dev_lock_is_a_superset_of_the_runtime_lock() -> None:
    assert _pins("requirements.lock") <= _pins("requirements-dev.lock")
    assert _pins("requirements-dev.lock") >= DEV_ONLY


def test_image_installs_the_runtime_lock_and_leaves_emulators_out() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "-r requirements.lock" in dockerfile and "requirements-dev" not in dockerfile
    copies = re.findall(r"^COPY (\S+)", dockerfile, re.M)
    assert "emulators" not in copies and "tests" not in copies
