"""The ``MLC_…`` variable names the settings model understands, secrets read from files, and
help for typos (``MLC_WEBPORT`` → ``MLC_WEB_PORT``).

Secrets can come from a file instead of the environment: ``MLC_STATUS_TOKEN_FILE``,
``MLC_POSTGRES__PASSWORD_FILE``, ``MLC_PROCORE__WEBHOOK_SECRET_FILE`` name a file holding the
value (Docker/Kubernetes secrets are mounted as such files). ``vault.key_file`` already is one.
"""

from __future__ import annotations

import difflib
import json
import os
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

PREFIX = "MLC_"
FILE_SUFFIX = "_FILE"
# Variables that are not settings fields but are read by the program (or its test suite).
OTHER_VARIABLES = frozenset({"MLC_CONFIG", "MLC_LOG_FORMAT"})
OTHER_PREFIXES = ("MLC_TEST_", "MLC_CRASH_")  # the test suite's and the crash harness's own


class SettingsError(Exception):
    """Settings could not be loaded; the message names every bad setting and how to fix it."""


def _unwrap(annotation: Any) -> list[Any]:
    """The member types of an optional/union annotation."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _unwrap(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def is_complex(annotation: Any) -> bool:
    """Values pydantic-settings parses as JSON from the environment (lists, dicts, models)."""
    for member in _unwrap(annotation):
        if typing.get_origin(member) in (list, dict, set, tuple, frozenset):
            return True
        if isinstance(member, type) and issubclass(member, (BaseModel, list, dict)):
            return True
    return False


def fields(
    model: type[BaseModel], prefix: str = PREFIX
) -> Iterator[tuple[str, tuple[str, ...], Any]]:
    """(env name, path, annotation) for every field, nested models both whole and per field."""
    for name, info in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        yield env, (name,), info.annotation
        nested = _model_of(info.annotation)
        if nested is not None:
            for sub_env, sub_path, annotation in fields(nested, env + "__"):
                yield sub_env, (name, *sub_path), annotation


def secret_file_variables(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """``MLC_…_FILE`` name → field path, for secret fields without a ``*_file`` sibling field."""
    known = {env for env, _, _ in fields(model)}
    found: dict[str, tuple[str, ...]] = {}
    for env, path, annotation in fields(model):
        if SecretStr in _unwrap(annotation) and env + FILE_SUFFIX not in known:
            found[env + FILE_SUFFIX] = path
    return found


def known_variables(model: type[BaseModel]) -> set[str]:
    return (
        {env for env, _, _ in fields(model)} | set(secret_file_variables(model)) | OTHER_VARIABLES
    )


def unknown_variables(model: type[BaseModel], environ: Mapping[str, str]) -> list[str]:
    """One warning per ``MLC_…`` variable no setting reads, with the closest valid name."""
    known = known_variables(model)
    messages = []
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name in known or name.startswith(OTHER_PREFIXES):
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else "; see the settings table in README.md"
        messages.append(f"unknown setting {name} is ignored{hint}")
    return messages


_EXAMPLES = {
    "list[pathlib.Path]": '["mapping-a.toml", "mapping-b.toml"]',
    "list[int]": "[123, 456]",
    "list[str]": '["a", "b"]',
}


def unknown_file_keys(model: type[BaseModel], data: Mapping[str, Any], path: Path) -> list[str]:
    """Warnings for keys of nested tables (``[procore]`` …) no setting reads.

    Unknown top-level keys are already errors (the model forbids extras); nested tables ignore
    extras, like their environment variables, so a typo there would pass silently.
    """
    messages = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        nested = _model_of(field.annotation) if field is not None else None
        if nested is None or not isinstance(value, Mapping):
            continue
        for sub in sorted(set(value) - set(nested.model_fields)):
            close = difflib.get_close_matches(sub, list(nested.model_fields), n=1, cutoff=0.6)
            hint = f"; did you mean '{key}.{close[0]}'?" if close else ""
            messages.append(f"unknown setting '{key}.{sub}' in {path} is ignored{hint}")
    return messages


def unparsable_variable(model: type[BaseModel], environ: Mapping[str, str], field: str) -> str:
    """Explain which variable of ``field`` is not the JSON pydantic-settings expects."""
    for env, _, annotation in fields(model):
        if env != f"{PREFIX}{field.upper()}" and not env.startswith(f"{PREFIX}{field.upper()}__"):
            continue
        value = environ.get(env)
        if value is None or not is_complex(annotation):
            continue
        try:
            json.loads(value)
        except ValueError as exc:
            example = _EXAMPLES.get(str(annotation), '{"key": "value"}')
            return (
                f"{env} is not valid JSON ({exc.args[0].split(':')[0]}; got {value!r}): "
                f"write it as JSON, e.g. {env}='{example}'"
            )
    return f"the value of setting {field!r} in the environment cannot be parsed"


class SecretFilesSource(PydanticBaseSettingsSource):
    """Reads ``MLC_…_FILE`` variables: the named file's content (without the final newline)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.environ = environ

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for variable, path in secret_file_variables(self.settings_cls).items():
            named = self.environ.get(variable)
            if not named:
                continue
            direct = variable.removesuffix(FILE_SUFFIX)
            if self.environ.get(direct):
                raise SettingsError(f"both {direct} and {variable} are set: keep only {variable}")
            try:
                secret = Path(named).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise SettingsError(
                    f"{variable} names {named}, which cannot be read ({exc.strerror}): "
                    "point it at the secret file (e.g. /run/secrets/…)"
                ) from None
            target = values
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = secret
        return values


def environ() -> Mapping[str, str]:
    return os.environ
