"""The data directory: created private (0700), checked writable, and scanned for files others
can read. It holds the event store, the vault, cursors, the embedded broker's log and exported
files — vendor names and IBANs — so nothing in it is for other users of the machine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from streams.config.env_names import SettingsError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077  # files the process creates: 0600, directories: 0700
EXPOSED_BITS = stat.S_IRWXG | stat.S_IRWXO


def ensure_data_dir(path: Path) -> Path:
    """Create ``path`` (0700) if missing and check the process can write there."""
    fix = "set MLC_DATA_DIR (data_dir) to a directory this user can write"
    if path.exists() and not path.is_dir():
        raise SettingsError(f"data_dir {path} is a file, not a directory; {fix}")
    if not path.exists():
        parent = next((p for p in path.absolute().parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            raise SettingsError(f"data_dir {path}: {parent} is a file, not a directory; {fix}")
        try:
            path.mkdir(mode=PRIVATE_DIR, parents=True)
        except FileExistsError:
            pass  # created meanwhile by another process
        except OSError as exc:
            raise SettingsError(
                f"data_dir {path} cannot be created under {parent} ({exc.strerror}); {fix}"
            ) from None
        os.chmod(path, PRIVATE_DIR)
    problem = write_problem(path)
    if problem is not None:
        raise SettingsError(f"data_dir {path} is not writable by this user ({problem}); {fix}")
    return path


def write_problem(directory: Path) -> str | None:
    """Why this user cannot create files in ``directory`` (tried, then removed); None if it can.

    A real attempt, because ``os.access`` says yes to root on read-only mounts.
    """
    probe = directory / f".write-test-{os.getpid()}"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        probe.unlink()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def exposed_paths(path: Path, limit: int = 20) -> list[tuple[Path, int]]:
    """Up to ``limit`` entries under ``path`` (itself included) group or others may access."""
    found: list[tuple[Path, int]] = []
    if not path.is_dir():
        return found
    for root, dirs, files in os.walk(path):
        for entry in [Path(root)] + [Path(root) / f for f in files]:
            try:
                mode = stat.S_IMODE(entry.lstat().st_mode)
            except OSError:
                continue  # removed while we looked
            if mode & EXPOSED_BITS and not entry.is_symlink():
                found.append((entry, mode))
                if len(found) >= limit:
                    return found
        dirs.sort()
    return found


def describe_exposed(path: Path) -> tuple[str, str] | None:
    """What others can read under ``path`` and the fix; None if everything is private."""
    exposed = exposed_paths(path)
    if not exposed:
        return None
    shown = ", ".join(f"{p} ({m:o})" for p, m in exposed[:3])
    more = f" and more ({len(exposed)}+ entries)" if len(exposed) > 3 else ""
    return (
        f"readable by other users: {shown}{more} (they hold vendor names and IBANs)",
        f"run `chmod -R go-rwx {path}`",
    )
