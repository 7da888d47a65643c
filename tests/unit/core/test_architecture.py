"""domain/ stays pure: checked on the source, beyond what import-linter can express."""

from __future__ import annotations

import ast
from pathlib import Path

import domain

FORBIDDEN_PREFIXES = (
    "asyncio",
    "socket",
    "subprocess",
    "threading",
    "sqlite3",
    "urllib.request",
    "http",
    "eventsourcing.application",
    "eventsourcing.persistence",
    "eventsourcing.sqlite",
    "eventsourcing.postgres",
    "eventsourcing.system",
    "adapters",
    "streams",
)
ALLOWED_EVENTSOURCING = ("eventsourcing.domain", "eventsourcing.utils")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_imports_no_io_or_outer_layers() -> None:
    root = Path(domain.__file__).parent
    offenders = []
    files = sorted(root.rglob("*.py"))
    assert files, "domain package has no modules?"
    for path in files:
        for name in _imports(path):
            bad = any(name == p or name.startswith(p + ".") for p in FORBIDDEN_PREFIXES)
            if name.startswith("eventsourcing") and not name.startswith(ALLOWED_EVENTSOURCING):
                bad = True
            if bad:
                offenders.append(f"{path.relative_to(root.parent)} imports {name}")
    assert offenders == []


def test_domain_never_opens_files() -> None:
    root = Path(domain.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if is_call and node.func.id == "open":  # type: ignore[attr-defined]
                offenders.append(str(path))
            if isinstance(node, ast.Attribute) and node.attr in {"read_text", "read_bytes"}:
                offenders.append(str(path))
    assert offenders == []
