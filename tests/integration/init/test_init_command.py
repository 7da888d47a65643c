"""The ``init`` command's flag handling: refusals happen before anything is touched."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from streams.commands import init as init_command


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None: ...

    init_command.register(app)
    return app


def test_existing_settings_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    settings = tmp_path / "ml-connector.toml"
    settings.write_text("# mine\n")
    result = CliRunner().invoke(
        _app(),
        ["init", "--yes", "--settings", str(settings), "--data-dir", str(tmp_path / "d"),
         "--company-id", "1", "--procore-client-id", "x", "--procore-client-secret", "y"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "already exists; nothing was changed; re-run with --force" in str(result.exception)
    assert settings.read_text() == "# mine\n"
    assert not (tmp_path / "d").exists()  # no vault key created either


def test_yes_without_credentials_names_the_missing_flags(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(),
        ["init", "--yes", "--settings", str(tmp_path / "s.toml"), "--company-id", "1"],
        env={"PROCORE_CLIENT_SECRET": ""},
    )
    assert "--procore-client-id" in str(result.exception)


def test_skr_must_be_03_or_04(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["init", "--yes", "--skr", "05"])
    assert "--skr must be 03 or 04" in str(result.exception)
