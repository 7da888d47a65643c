"""Edits of a mapping file: small text changes (comments kept), checked, written atomically.

Every change is validated with the rules of ``mapping check`` before it is written; the file is
replaced atomically and the previous version is kept next to it as ``<name>.prev``.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.config_files import load_and_check, toml_line_index
from domain.mapping import ClientMapping
from domain.problems import Problem


@dataclass(frozen=True)
class EditOutcome:
    """``problems`` empty: written (``backup`` is the previous version)."""

    problems: list[Problem]
    backup: Path | None = None


def toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _header(table: tuple[str | int, ...]) -> str:
    return ".".join(str(p) if str(p).isidentifier() else toml_string(str(p)) for p in table)


def set_keys(text: str, table: tuple[str | int, ...], values: dict[str, str | None]) -> str:
    """Set (TOML literal) or remove (None) keys of ``[table]``, adding the table if missing."""
    lines = text.splitlines()
    for key, value in values.items():
        index = toml_line_index("\n".join(lines))
        shown = key if key.replace("_", "").isalnum() and not key.isdigit() else toml_string(key)
        at = index.get((*table, key))
        if at is not None:
            if value is None:
                del lines[at - 1]
            else:
                lines[at - 1] = f"{shown} = {value}"
        elif value is not None:
            head = index.get(table)
            if head is None:
                lines += ["", f"[{_header(table)}]"]
                head = len(lines)
            lines.insert(head, f"{shown} = {value}")
    return "\n".join(lines) + "\n"


def set_cost_account(
    text: str, cost_code: str, cost_type: str, account: int, tax_rules: list[str] | None = None
) -> str:
    """The exact rule ``(cost_code, cost_type) → account`` (with the tax rules its lines carry,
    if given), changed in place or appended."""
    rules_literal = "[" + ", ".join(toml_string(r) for r in tax_rules) + "]" if tax_rules else None
    rules = tomllib.loads(text).get("cost_accounts", [])
    for i, rule in enumerate(rules):
        if rule.get("cost_code") == cost_code and rule.get("cost_type") == cost_type:
            return set_keys(
                text, ("cost_accounts", i), {"account": str(account), "tax_rules": rules_literal}
            )
    block = (
        f"\n[[cost_accounts]]\ncost_code = {toml_string(cost_code)}\n"
        f"cost_type = {toml_string(cost_type)}\naccount = {account}\n"
    )
    if rules_literal:
        block += f"tax_rules = {rules_literal}\n"
    return text.rstrip("\n") + "\n" + block


def set_tax_code(text: str, code: str, rule: str) -> str:
    return set_keys(text, ("tax_codes",), {code: toml_string(rule)})


def set_project(text: str, project_id: int, kost1: str) -> str:
    return set_keys(text, ("projects", str(project_id)), {"kost1": toml_string(kost1)})


def set_schedule(text: str, cadence: str, review: bool) -> str:
    values: dict[str, str | None] = {
        "cadence": toml_string(cadence),
        "review": "true" if review else "false",
    }
    return set_keys(text, ("schedule",), values)


def set_vendor(
    text: str, vendor_id: int, reverse_charge: bool, exemption: str, valid_until: str | None
) -> str:
    """§ 13b and § 48b facts of one vendor (a date only with a certificate)."""
    dated = valid_until if exemption == "certificate" and valid_until else None
    values: dict[str, str | None] = {
        "reverse_charge": "true" if reverse_charge else "false",
        "exemption": toml_string(exemption),
        "exemption_valid_until": dated,
    }
    return set_keys(text, ("vendors", str(vendor_id)), values)


def save(path: Path, new_text: str, landed: Callable[[ClientMapping], bool]) -> EditOutcome:
    """Check ``new_text`` like ``mapping check``; if clean and ``landed``, replace ``path``."""
    candidate = path.with_name(f".{path.name}.candidate")
    candidate.write_text(new_text, encoding="utf-8")
    try:
        mapping, _chart, problems = load_and_check(candidate)
        problems = [_relocate(p, candidate, path) for p in problems]
        if not problems and (mapping is None or not landed(mapping)):
            problems = [
                Problem(
                    path=(),
                    message="the change could not be written into this file's layout",
                    fix=f"edit {path.name} by hand, then run `ml-connector mapping check`",
                )
            ]
        if problems:
            return EditOutcome(problems)
        backup = path.with_name(f"{path.name}.prev")
        shutil.copy2(path, backup)
        with candidate.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(candidate, path)
        _fsync_dir(path.parent)
        return EditOutcome([], backup)
    finally:
        candidate.unlink(missing_ok=True)


def _relocate(problem: Problem, candidate: Path, path: Path) -> Problem:
    where = problem.location.replace(str(candidate), str(path))
    return problem.model_copy(update={"location": where})


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
