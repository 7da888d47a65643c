"""Leave the root logger and the secret mask as they were after each test."""

from tests.support.logging_reset import _restore_logging  # noqa: F401 (autouse fixture)
