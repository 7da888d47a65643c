"""Every bad setting is one clear line from the real CLI: exit code 2, no traceback, no hang."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from adapters.kafka.embedded import free_port

pytestmark = pytest.mark.timing  # each case must answer within ENOUGH_S
ENOUGH_S = 10.0  # "within a few seconds": every case here answers in about one


def cli(*args: str, timeout: float = 30.0, **env: str) -> tuple[int, list[str], float]:
    """Run ``ml-connector ARGS`` as its own process; (exit code, stderr lines, seconds)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env={**os.environ, "MLC_LOG_FORMAT": "json", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return done.returncode, lines, time.monotonic() - started


def one_error(args: tuple[str, ...], **env: str) -> str:
    code, lines, seconds = cli(*args, **env)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    assert lines[0].startswith("error: ")
    assert seconds < ENOUGH_S, f"took {seconds:.1f} s"
    return lines[0]


def test_web_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_error(("worker",), MLC_DATA_DIR=str(tmp_path / "d"), MLC_WEB_PORT=str(port))
    assert f"web port {port} on 127.0.0.1 is already in use" in line
    assert "MLC_WEB_PORT" in line


def test_kafka_unreachable_at_worker_start(tmp_path: Path) -> None:
    servers = f"127.0.0.1:{free_port()}"
    line = one_error(
        ("worker",),
        MLC_DATA_DIR=str(tmp_path / "d"),
        MLC_WEB_PORT=str(free_port()),
        MLC_KAFKA_BOOTSTRAP_SERVERS=servers,
    )
    assert f"cannot reach Kafka at {servers}" in line
    assert "MLC_KAFKA_BOOTSTRAP_SERVERS" in line


def _postgres_runs() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("command", [("batches",), ("worker",)])
@pytest.mark.parametrize(
    ("env", "server_says"),
    [
        ({"MLC_POSTGRES__DBNAME": "mlc_no_such_db"}, 'database "mlc_no_such_db" does not exist'),
        (
            {"MLC_POSTGRES__DBNAME": "postgres", "MLC_POSTGRES__USER": "mlc_no_such_role"},
            'role "mlc_no_such_role" does not exist',
        ),
        ({"MLC_POSTGRES__DBNAME": "postgres", "MLC_POSTGRES__PORT": "free"}, "Connection refused"),
    ],
    ids=["unknown database", "unknown role", "unreachable"],
)
def test_postgres_problems_name_the_server_and_its_message(
    tmp_path: Path, command: tuple[str, ...], env: dict[str, str], server_says: str
) -> None:
    if not _postgres_runs():
        pytest.skip("PostgreSQL not running on 127.0.0.1:5432")
    env = {**env}
    if env.get("MLC_POSTGRES__PORT") == "free":
        env["MLC_POSTGRES__PORT"] = str(free_port())
    port = env.get("MLC_POSTGRES__PORT", "5432")
    line = one_error(
        command, MLC_DATA_DIR=str(tmp_path / "d"), MLC_WEB_PORT=str(free_port()), **env
    )
    assert f"PostgreSQL at 127.0.0.1:{port}" in line
    assert f"database {env['MLC_POSTGRES__DBNAME']!r}" in line
    assert f"as user {env.get('MLC_POSTGRES__USER', 'postgres')!r}" in line
    if server_says == "Connection refused":  # libpq's wording differs between versions
        assert "refused" in line or "accepting TCP/IP connections" in line, line
    else:
        assert server_says in line


def test_data_dir_with_a_missing_parent(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    line = one_error(("batches",), MLC_DATA_DIR=str(blocker / "var"))
    assert f"data_dir {blocker / 'var'}" in line and "is a file, not a directory" in line
    assert "MLC_DATA_DIR" in line
    line = one_error(("batches",), MLC_DATA_DIR="/proc/mlc-missing/var")
    assert "cannot be created under /proc" in line and "MLC_DATA_DIR" in line


def test_data_dir_not_writable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/sys/kernel")  # even root cannot create files there
    else:
        target = tmp_path / "read-only"
        target.mkdir(mode=0o500)
    line = one_error(("worker",), MLC_DATA_DIR=str(target), MLC_WEB_PORT=str(free_port()))
    assert f"data_dir {target} is not writable by this user" in line
    assert "MLC_DATA_DIR" in line


def test_mappings_not_json_names_the_variable() -> None:
    line = one_error(("batches",), MLC_MAPPINGS="mapping.toml")
    assert "MLC_MAPPINGS is not valid JSON" in line
    assert "'mapping.toml'" in line and """MLC_MAPPINGS='["mapping-a.toml""" in line
    assert "settings file" not in line


def test_unknown_variable_is_warned_with_the_closest_name() -> None:
    code, lines, _ = cli("batches", MLC_WEBPORT="7000", MLC_PROCORE__BASEURL="https://x.test")
    assert code == 0, lines
    warned = [orjson.loads(line) for line in lines if "unknown setting" in line]
    assert [w["msg"] for w in warned] == [
        "unknown setting MLC_PROCORE__BASEURL is ignored; did you mean MLC_PROCORE__BASE_URL?",
        "unknown setting MLC_WEBPORT is ignored; did you mean MLC_WEB_PORT?",
    ]
    assert all(w["level"] == "warning" for w in warned)


def test_doctor_names_the_postgres_problem_in_its_checklist(tmp_path: Path) -> None:
    if not _postgres_runs():
        pytest.skip("PostgreSQL not running on 127.0.0.1:5432")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "doctor", "--timeout", "2"],
        env={**os.environ, "MLC_POSTGRES__DBNAME": "mlc_no_such_db", "MLC_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 1
    [line] = [x for x in done.stdout.splitlines() if "event store:" in x]
    assert "FAIL" in line and 'database "mlc_no_such_db" does not exist' in line
    assert "127.0.0.1:5432" in line
    assert "Traceback" not in done.stdout + done.stderr
    assert seconds < ENOUGH_S


def test_web_host_not_on_this_machine(tmp_path: Path) -> None:
    line = one_error(
        ("worker",),
        MLC_DATA_DIR=str(tmp_path / "d"),
        MLC_WEB_HOST="192.0.2.45",  # TEST-NET-1: never a local address
        MLC_WEB_PORT=str(free_port()),
    )
    assert "cannot listen on web port" in line and "on 192.0.2.45" in line
    assert "MLC_WEB_HOST" in line


def test_the_worker_warns_at_start_when_others_can_read_the_data(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir(mode=0o700)
    leaked = data / "events.sqlite3"
    leaked.write_bytes(b"")
    leaked.chmod(0o644)
    code, lines, _ = cli(  # an unreachable broker ends the start right after the checks
        "worker",
        MLC_DATA_DIR=str(data),
        MLC_WEB_PORT=str(free_port()),
        MLC_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}",
    )
    assert code == 2
    [warning] = [orjson.loads(x) for x in lines if x.startswith("{")]
    assert warning["level"] == "warning"
    assert f"{leaked} (644)" in warning["msg"] and f"chmod -R go-rwx {data}" in warning["msg"]
    assert lines[-1].startswith("error: cannot reach Kafka")


def test_wrong_vault_key_for_an_encrypted_event_store(tmp_path: Path) -> None:
    from adapters.vault import generate_key
    from streams.bootstrap import build_ledger
    from streams.config.settings import Settings
    from tests.support.changes import sample_change

    written_with, other = generate_key(), generate_key()
    data = tmp_path / "d"
    settings = Settings(data_dir=data, vault={"key": written_with, "encrypt_event_store": True})  # type: ignore[arg-type]
    build_ledger(settings).fold("procore.records", 0, [(0, sample_change())])
    env = {
        "MLC_DATA_DIR": str(data),
        "MLC_VAULT__KEY": other.get_secret_value(),
        "MLC_VAULT__ENCRYPT_EVENT_STORE": "true",
    }
    line = one_error(("batches",), **env)
    assert "cannot be decrypted with the configured vault key(s)" in line
    assert "MLC_VAULT__KEY" in line
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "doctor", "--timeout", "2"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    [store] = [x for x in done.stdout.splitlines() if "event store:" in x]
    assert "FAIL" in store and "cannot be decrypted" in store
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"MLC_VAULT__KEY_FILE": "/nonexistent/vault.key"},
            "/nonexistent/vault.key does not exist",
        ),
        ({"MLC_VAULT__KEY": "not-a-key"}, "not a Fernet key"),
    ],
    ids=["missing key file", "malformed key"],
)
def test_unusable_vault_key_stops_the_worker_before_anything_starts(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    line = one_error(
        ("worker",), MLC_DATA_DIR=str(tmp_path / "d"), MLC_WEB_PORT=str(free_port()), **env
    )
    assert says in line and "MLC_VAULT__KEY_FILE" in line
    assert not (tmp_path / "d" / "kafka").exists()  # the embedded broker never started
