"""Leave the root logger and the secret mask as they were after each test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from streams.config.logging_setup import SECRETS


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    SECRETS.clear()
    logging.captureWarnings(False)
