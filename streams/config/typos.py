"""Warn once per process about settings nobody reads: ``MLC_…`` variables and nested keys of
the settings file (a typo such as ``MLC_WEBPORT`` or ``[procore] baseurl``), with the closest
valid name."""

from __future__ import annotations

import logging
import os
import tomllib

from streams.config.env_names import unknown_file_keys, unknown_variables
from streams.config.settings import Settings, config_file

log = logging.getLogger("streams.config")
_WARNED: set[str] = set()


def unknown_settings() -> list[str]:
    messages = unknown_variables(Settings, os.environ)
    path = config_file()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # loading the settings reports an unreadable file
        messages += unknown_file_keys(Settings, data, path)
    return messages


def warn_unknown_settings() -> None:
    for message in unknown_settings():
        if message not in _WARNED:
            _WARNED.add(message)
            log.warning(message)
