"""Malformed HTTP requests (a 20 kB URL, garbage bytes) are the client's problem, not ours.

aiohttp answers them with 400 and logs "Error handling request" at ERROR with a traceback;
this filter turns that record into one WARNING line naming the reason, without the traceback.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

LOGGER = "aiohttp.server"


class MalformedRequestFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            reason = (exc.message or type(exc).__name__).split(":")[0].strip()
            record.msg = "refused a malformed HTTP request (%s): %s"
            record.args = (type(exc).__name__, reason[:120])
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def quiet_malformed_requests() -> None:
    """Install the filter once on aiohttp's server logger."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, MalformedRequestFilter) for f in logger.filters):
        logger.addFilter(MalformedRequestFilter())
