"""Read mapping and chart files (TOML/CSV) into domain models, with file:line locations.

``load_mapping(path) -> (ClientMapping | None, list[Problem])`` and
``load_chart(spec, mapping) -> (Chart | None, list[Problem])`` never raise on bad content: every
problem comes back with its location, so ``mapping check`` can show them all at once.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.chart import Account, Chart, Skr, build_chart
from domain.mapping import ClientMapping
from domain.mapping_check import check_mapping
from domain.problems import Problem

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_.\-" ]+?)\s*=')

PathKey = tuple[str | int, ...]


def _split_dotted(text: str) -> list[str]:
    parts, buf, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(buf.strip())
            buf = ""
        else:
            buf += ch
    parts.append(buf.strip())
    return parts


def toml_line_index(text: str) -> dict[PathKey, int]:
    """Map TOML key paths (tables, array entries, keys) to 1-based line numbers."""
    index: dict[PathKey, int] = {}
    counters: dict[tuple[str, ...], int] = {}
    table: PathKey = ()
    for n, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if m := _HEADER.match(line):
            names = tuple(_split_dotted(m.group(2)))
            if m.group(1) == "[[":
                i = counters.get(names, 0)
                counters[names] = i + 1
                table = (*names, i)
            else:
                table = names
            index.setdefault(table, n)
            continue
        if m := _KEY.match(line):
            key = tuple(_split_dotted(m.group(1)))
            index.setdefault((*table, *key), n)
    return index


def locate(index: dict[PathKey, int], path: Sequence[str | int]) -> int | None:
    """Line of the longest known prefix of ``path``."""
    norm = tuple(p if isinstance(p, int) else str(p) for p in path)
    for cut in range(len(norm), 0, -1):
        if norm[:cut] in index:
            return index[norm[:cut]]
    return None


def _with_location(problems: list[Problem], name: str, index: dict[PathKey, int]) -> list[Problem]:
    out = []
    for p in problems:
        line = locate(index, p.path)
        out.append(p.model_copy(update={"location": f"{name}:{line}" if line else name}))
    return out


def _validation_problems(exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function")))
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        out.append(
            Problem(
                path=loc,
                message=f"{err['msg']}{shown}",
                fix="correct the value; see deploy/mapping.sample.toml for a valid example",
            )
        )
    return out


def load_mapping(path: Path) -> tuple[ClientMapping | None, list[Problem]]:
    """Parse a mapping TOML file; problems carry ``file:line`` locations."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        return None, [Problem(path=(), message=f"cannot read: {exc}", fix="check the path")]
    except tomllib.TOMLDecodeError as exc:
        return None, [
            Problem(
                path=(), message=f"not valid TOML: {exc}", fix="fix the syntax", location=str(path)
            )
        ]
    index = toml_line_index(text)
    try:
        mapping = ClientMapping.model_validate(data)
    except ValidationError as exc:
        return None, _with_location(_validation_problems(exc), str(path), index)
    return mapping, []


def _chart_from_csv(text: str, skr: Skr, length: int) -> tuple[Chart | None, list[Problem]]:
    """CSV chart additions: ``number;name;kind;automatic_tax;automatic_rate;bu_keys``."""
    accounts: list[Account] = []
    problems: list[Problem] = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=";"), start=2):
        data: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        if "bu_keys" in data:
            data["bu_keys"] = frozenset(data["bu_keys"].split(","))
        try:
            accounts.append(Account.model_validate(data))
        except ValidationError as exc:
            problems += [
                p.model_copy(update={"location": f"line {n}"}) for p in _validation_problems(exc)
            ]
    return build_chart(skr, length, accounts), problems


def load_chart(spec: str, mapping: ClientMapping) -> tuple[Chart | None, list[Problem]]:
    """``skr03`` / ``skr04`` (shipped subset), or a TOML/CSV file of accounts added to the
    shipped subset of the mapping's SKR; the mapping's ``extra_accounts`` are always added."""
    skr, length = mapping.client.skr, mapping.client.account_length
    extras = list(mapping.extra_accounts)
    lowered = spec.lower()
    if lowered in ("skr03", "skr04", "03", "04"):
        chosen: Skr = "03" if lowered.endswith("03") else "04"
        return build_chart(chosen, length, extras), []
    file = Path(spec)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(path=(), message=f"cannot read chart: {exc}", fix="check the path")]
    if file.suffix.lower() == ".csv":
        chart, problems = _chart_from_csv(text, skr, length)
        assert chart is not None
        return build_chart(skr, length, [*chart.accounts.values(), *extras]), [
            p.model_copy(update={"location": f"{file}:{p.location}"}) for p in problems
        ]
    try:
        data = tomllib.loads(text)
        accounts = [Account.model_validate(a) for a in data.get("accounts", [])]
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        return None, [Problem(path=(), message=str(exc), fix="fix the chart file", location=spec)]
    shipped = bool(data.get("include_shipped", True))
    return build_chart(skr, length, [*accounts, *extras], include_shipped=shipped), []


def load_and_check(
    mapping_path: Path, chart_spec: str | None = None
) -> tuple[ClientMapping | None, Chart | None, list[Problem]]:
    """Load both files and run ``check_mapping``: every problem, located. The worker refuses to
    start when the list is not empty."""
    mapping, problems = load_mapping(mapping_path)
    if mapping is None:
        return None, None, problems
    chart, chart_problems = load_chart(chart_spec or f"skr{mapping.client.skr}", mapping)
    if chart is None:
        return mapping, None, chart_problems
    text = mapping_path.read_text(encoding="utf-8")
    found = check_mapping(mapping, chart)
    located = _with_location(found, str(mapping_path), toml_line_index(text))
    return mapping, chart, [*chart_problems, *located]
