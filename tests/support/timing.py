"""Timers the tests shorten through settings (never by patching the code under test)."""

from __future__ import annotations

# Consumer-group session of worker processes started by tests (production default: 10 s). A worker
# restarted after SIGKILL then takes over its partitions in ~3 s instead of ~20 s.
SESSION_TIMEOUT_S = 4.0
SESSION_ENV = {"MLC_KAFKA_SESSION_TIMEOUT_S": str(SESSION_TIMEOUT_S)}

# Short-lived consumers of the operator commands (re-drive, offset reset) on the embedded broker;
# real Kafka refuses sessions below 6 s by default, so production keeps that.
CLI_SESSION_MS = 2_000
