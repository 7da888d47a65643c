"""Structured logs: JSON fields, context ids, text on terminals, secrets never printed."""

from __future__ import annotations

import io
import logging

import orjson
import pytest
from pydantic import SecretStr

from streams.config.logging_setup import (
    configure_cli_logging,
    configure_logging,
    register_secrets,
    resolve_format,
)
from streams.config.settings import Settings, VaultSettings

log = logging.getLogger("streams.test")


def _settings(**kw: object) -> Settings:
    return Settings.model_validate({"log_format": "json", **kw})


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_level_logger_message_and_context_ids() -> None:
    out = io.StringIO()
    configure_logging(_settings(log_level="info"), stream=out)
    log.debug("not shown at info")
    log.info("batch %s sealed", "b-1", extra={"batch": "b-1", "client": "29098-55003"})
    log.warning("record parked", extra={"record": "1:2:requisition:3"})
    first, second = _lines(out)
    assert first["level"] == "info" and first["logger"] == "streams.test"
    assert first["msg"] == "batch b-1 sealed"
    assert (first["batch"], first["client"]) == ("b-1", "29098-55003")
    assert str(first["ts"]).endswith("Z")
    assert second["level"] == "warning" and second["record"] == "1:2:requisition:3"
    assert "batch" not in second


def test_secrets_from_settings_vault_and_tokens_never_reach_the_output() -> None:
    out = io.StringIO()
    settings = _settings(
        status_token=SecretStr("status-pw-123"),
        vault=VaultSettings(key=SecretStr("vault-key-value-xyz")),
    )
    configure_logging(settings, ["procore-secret-abc"], stream=out)
    register_secrets(["refresh-token-rotated-1"])
    log.info("token status-pw-123 and %s", "procore-secret-abc")
    log.info("posting client_secret=hunter2222&grant=x with Bearer eyJhbGciOi.abc.def")
    log.info("vault vault-key-value-xyz", extra={"client": "refresh-token-rotated-1"})
    try:
        raise ValueError("bad refresh-token-rotated-1")
    except ValueError:
        log.exception("refresh failed")
    text = out.getvalue()
    for secret in (
        "status-pw-123",
        "procore-secret-abc",
        "hunter2222",
        "eyJhbGciOi",
        "vault-key-value-xyz",
        "refresh-token-rotated-1",
    ):
        assert secret not in text
    lines = _lines(out)
    assert lines[0]["msg"] == "token *** and ***"
    assert "client_secret=***" in str(lines[1]["msg"]) and "Bearer ***" in str(lines[1]["msg"])
    assert "ValueError: bad ***" in str(lines[3]["exc"])


def test_text_format_is_readable_and_masked() -> None:
    out = io.StringIO()
    configure_logging(Settings.model_validate({"log_format": "text"}), ["s3cr3t-value"], stream=out)
    log.warning("login with s3cr3t-value", extra={"batch": "b-9"})
    text = out.getvalue()
    assert "login with ***" in text and "batch=b-9" in text
    assert not text.lstrip().startswith("{")


def test_auto_is_json_off_a_terminal_and_text_on_one() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("auto", Tty()) == "text"
    assert resolve_format("text", io.StringIO()) == "text"


def test_faust_and_mode_loggers_go_through_the_same_handler() -> None:
    out = io.StringIO()
    configure_logging(_settings(), stream=out)
    logging.getLogger("faust.worker").warning("rebalance")
    logging.getLogger("mode.services").warning("service stopped")
    logging.getLogger("aiokafka.consumer").info("chatter")  # below warning: dropped
    assert [(x["logger"], x["msg"]) for x in _lines(out)] == [
        ("faust.worker", "rebalance"),
        ("mode.services", "service stopped"),
    ]


def test_reconfiguring_replaces_our_handler_only() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(_settings(), stream=first)
    configure_logging(_settings(), stream=second)
    log.warning("once")
    assert first.getvalue() == "" and len(_lines(second)) == 1


def test_cli_logging_falls_back_to_defaults_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLC_LOG_LEVEL", "loud")  # invalid: the command reports it, not logging
    monkeypatch.setenv("MLC_LOG_FORMAT", "json")
    configure_cli_logging()
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_mlc", False)]
    assert len(ours) == 1 and logging.getLogger().level == logging.INFO


def test_http_request_lines_are_quiet_unless_debugging() -> None:
    """httpx logs every request URL (OAuth state, query strings) at INFO: not in our logs."""
    configure_logging(_settings(log_level="info"), stream=io.StringIO())
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
