"""The doctor's data-directory line on a real filesystem: creatable, writable, private."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.bootstrap import build_ledger, build_procore
from streams.config.settings import Settings
from streams.setup.checks import files
from streams.setup.checks.base import Check, DoctorContext


async def check(data_dir: Path) -> Check:
    ctx = DoctorContext(Settings(data_dir=data_dir), build_procore, lambda s: build_ledger(s))
    [line] = await files.run(ctx)
    return line


async def test_missing_but_creatable_is_a_warning_and_nothing_is_created(tmp_path: Path) -> None:
    line = await check(tmp_path / "new" / "var")
    assert (line.verdict, line.fix) == ("warn", "the worker creates it (mode 700)")
    assert not (tmp_path / "new").exists()  # a check changes nothing
    assert [p.name for p in tmp_path.iterdir()] == []  # not even its write probe


async def test_uncreatable_or_unwritable_is_red(tmp_path: Path) -> None:
    line = await check(Path("/proc/mlc-nope/var"))
    assert line.verdict == "fail" and "cannot be created under /proc" in line.detail
    assert "MLC_DATA_DIR" in line.fix
    (tmp_path / "file").write_text("x")
    line = await check(tmp_path / "file")
    assert line.verdict == "fail" and "is not a writable directory (a file)" in line.detail


async def test_private_is_green_and_exposed_is_red(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "events.sqlite3").touch(mode=0o600)
    assert (await check(data)).verdict == "ok"
    (data / "events.sqlite3").chmod(0o644)
    line = await check(data)
    assert line.verdict == "fail"
    assert f"{data / 'events.sqlite3'} (644)" in line.detail
    assert line.fix == f"run `chmod -R go-rwx {data}`"


async def test_status_page_line(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from streams.setup.checks import status_page

    async def line(**values: object) -> Check:
        settings = Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]
        ctx = DoctorContext(settings, build_procore, lambda s: build_ledger(s))
        [result] = await status_page.run(ctx)
        return result

    assert (await line()).verdict == "ok"
    short = await line(status_token=SecretStr("hunter2"))
    assert short.verdict == "warn" and "fewer than 16 characters" in short.detail
    assert "MLC_STATUS_TOKEN_FILE" in short.fix
    assert (await line(status_token=SecretStr("x" * 32))).verdict == "ok"
    exposed_demo = await line(demo_mode=True, web_host="0.0.0.0")
    assert exposed_demo.verdict == "warn" and "MLC_DEMO_MODE=false" in exposed_demo.fix
    assert "Host header checked" in (await line(demo_mode=True)).detail


async def test_event_store_check_creates_no_tables(tmp_path: Path, pg_dbname: str) -> None:
    import psycopg

    from streams.commands.doctor import doctor_context
    from streams.setup.checks import event_store

    settings = Settings(data_dir=tmp_path, postgres={"dbname": pg_dbname})  # type: ignore[arg-type]
    ctx = doctor_context(settings)
    [line] = await event_store.run(ctx)
    assert line.verdict == "ok" and "tables not created yet" in line.detail
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=pg_dbname) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)  # the doctor only looked
    build_ledger(settings)  # as the worker does: creates the tables
    [line] = await event_store.run(doctor_context(settings))
    assert line.verdict == "ok" and line.detail.endswith("reachable, 0 events")
    sqlite = Settings(data_dir=tmp_path / "fresh")
    [line] = await event_store.run(doctor_context(sqlite))
    assert "not created yet" in line.detail and not (tmp_path / "fresh").exists()


async def test_clear_text_postgres_event_store_is_warned(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from streams.setup.checks import encryption

    def ctx(**values: object) -> DoctorContext:
        settings = Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]
        return DoctorContext(settings, build_procore, lambda s: build_ledger(s))

    assert await encryption.run(ctx()) == []  # SQLite: covered by the data-directory line
    [line] = await encryption.run(ctx(postgres={"dbname": "x"}))
    assert line.verdict == "warn" and "clear text" in line.detail
    assert "MLC_VAULT__ENCRYPT_EVENT_STORE=true" in line.fix
    vault = {"encrypt_event_store": True, "key": SecretStr("k" * 44)}
    [line] = await encryption.run(ctx(postgres={"dbname": "x"}, vault=vault))
    assert line.verdict == "ok"


async def test_settings_line_names_typos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.setup.checks import settings as settings_check

    ctx = DoctorContext(Settings(data_dir=tmp_path), build_procore, lambda s: build_ledger(s))
    assert [(c.verdict, c.detail) for c in await settings_check.run(ctx)] == [("ok", "valid")]
    monkeypatch.setenv("MLC_WEBPORT", "7000")
    [line] = await settings_check.run(ctx)
    assert line.verdict == "warn"
    assert "MLC_WEBPORT is ignored; did you mean MLC_WEB_PORT?" in line.detail
