"""Encrypted credential vault: one small JSON document, Fernet-encrypted, in the data directory.

Holds the Procore client credentials and the DATEV client credentials plus the DATEV refresh
token. Keys are Fernet keys (``generate_key()``) from ``MLC_VAULT__KEY`` (comma-separated, newest
first) or from a key file (one key per line, newest first) that only its owner may read.
Reading tries every key (``MultiFernet``); writing always uses the first, so a rotation keeps old
files readable until :meth:`Vault.rotate` has re-encrypted them.

Every write is atomic (temp file, fsync, rename, fsync of the directory): a crash leaves either
the old or the new document, never a torn one. Secret values are ``SecretStr`` in memory and
appear in plain text only inside the encrypted file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import stat
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import BaseModel, ConfigDict, SecretStr

VAULT_FILE = "credentials.vault"
_LOCK_SUFFIX = ".lock"


class VaultError(Exception):
    """The vault cannot be used; the message names the file or setting and the fix."""


class VaultConflict(VaultError):
    """A compare-and-swap found a different refresh token than expected (another refresher won)."""


class ProcoreCredentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr


class DatevCredentials(BaseModel):
    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr


class DatevRefreshToken(BaseModel):
    """The current DATEV refresh token; ``generation`` grows by one with every rotation."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr
    expires_at: datetime | None = None
    obtained_at: datetime
    generation: int = 1


class Secrets(BaseModel):
    model_config = ConfigDict(frozen=True)

    procore: ProcoreCredentials | None = None
    datev: DatevCredentials | None = None
    datev_refresh: DatevRefreshToken | None = None


def generate_key() -> SecretStr:
    """A new random Fernet key (url-safe base64 of 32 bytes)."""
    return SecretStr(Fernet.generate_key().decode("ascii"))


def write_key_file(path: Path, keys: Sequence[SecretStr]) -> None:
    """Write keys (newest first) to ``path`` with mode 0600, atomically."""
    text = "".join(k.get_secret_value() + "\n" for k in keys)
    _atomic_write(path, text.encode("ascii"))


def load_keys(key: SecretStr | None, key_file: Path | None) -> list[SecretStr]:
    """Keys from the setting value, else from the key file (which must be 0600 or stricter)."""
    if key is not None and key.get_secret_value().strip():
        raw = key.get_secret_value().split(",")
        source = "MLC_VAULT__KEY"
    elif key_file is not None:
        raw = _read_key_file(key_file).splitlines()
        source = str(key_file)
    else:
        raise VaultError(
            "no vault key: set MLC_VAULT__KEY or vault.key_file "
            "(create one with `ml-connector vault init-key`)"
        )
    keys = [SecretStr(k.strip()) for k in raw if k.strip()]
    for k in keys:
        try:
            Fernet(k.get_secret_value())
        except (ValueError, TypeError):
            raise VaultError(f"{source} holds a value that is not a Fernet key") from None
    if not keys:
        raise VaultError(f"{source} holds no key")
    return keys


def _read_key_file(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise VaultError(f"vault key file {path} does not exist") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        mode = stat.S_IMODE(info.st_mode)
        raise VaultError(
            f"vault key file {path} is accessible by group or others (mode {mode:o}); "
            f"refusing to use it — run `chmod 600 {path}`"
        )
    return path.read_text("ascii")


class Vault:
    """The encrypted secrets document at ``path``."""

    def __init__(self, path: Path, keys: Sequence[SecretStr]) -> None:
        if not keys:
            raise VaultError("vault needs at least one key")
        self.path = path
        self._keys = list(keys)
        self._fernet = MultiFernet([Fernet(k.get_secret_value()) for k in self._keys])
        self._async_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"Vault(path={str(self.path)!r}, keys={len(self._keys)})"

    @classmethod
    def open(cls, data_dir: Path, key: SecretStr | None, key_file: Path | None) -> Vault:
        return cls(data_dir / VAULT_FILE, load_keys(key, key_file))

    # -- reading and writing ------------------------------------------------------------------
    def read(self) -> Secrets:
        """The stored secrets (empty if the vault file does not exist yet)."""
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return Secrets()
        try:
            plain = self._fernet.decrypt(blob)
        except InvalidToken:
            raise VaultError(
                f"cannot decrypt {self.path}: none of the configured vault keys fits "
                "(was the key rotated without keeping the old key during the rotation?)"
            ) from None
        return Secrets.model_validate(orjson.loads(plain))

    def write(self, secrets: Secrets) -> None:
        plain = orjson.dumps(_reveal(secrets.model_dump()))
        _atomic_write(self.path, self._fernet.encrypt(plain))

    def update(self, change: Callable[[Secrets], Secrets]) -> Secrets:
        """Read, change and write under the cross-process file lock."""
        with self._file_lock():
            new = change(self.read())
            self.write(new)
            return new

    def set_procore(self, creds: ProcoreCredentials) -> None:
        self.update(lambda s: s.model_copy(update={"procore": creds}))

    def set_datev(self, creds: DatevCredentials) -> None:
        self.update(lambda s: s.model_copy(update={"datev": creds}))

    def rotate(self, new_key: SecretStr) -> None:
        """Re-encrypt with ``new_key``; old keys stay readable until the caller drops them."""
        Fernet(new_key.get_secret_value())  # fail early on a malformed key
        with self._file_lock():
            keys = [new_key, *[k for k in self._keys if k != new_key]]
            fernet = MultiFernet([Fernet(k.get_secret_value()) for k in keys])
            if self.path.exists():
                _atomic_write(self.path, fernet.rotate(self.path.read_bytes()))
            self._keys, self._fernet = keys, fernet

    # -- the DATEV refresh token ------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def refresh_lock(self, timeout_s: float = 30.0) -> AsyncIterator[None]:
        """Single flight for DATEV refreshes: one task per process, one process per vault."""
        async with self._async_lock:
            fd = os.open(self._lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                deadline = time.monotonic() + timeout_s
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise VaultError(
                                f"another process holds {self._lock_path()} for over "
                                f"{timeout_s:.0f} s; is a second connector refreshing?"
                            ) from None
                        await asyncio.sleep(0.05)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    def compare_and_swap_refresh_token(
        self, expected: DatevRefreshToken | None, new: DatevRefreshToken
    ) -> None:
        """Store ``new`` only if the vault still holds ``expected`` (compared by generation+value).

        Call it while holding :meth:`refresh_lock`; the write is atomic and durable on return.
        """
        current = self.read()
        if not _same_token(current.datev_refresh, expected):
            raise VaultConflict(
                "the DATEV refresh token in the vault changed while refreshing; "
                "another process rotated it — retry with the stored token"
            )
        self.write(current.model_copy(update={"datev_refresh": new}))

    # -- helpers -----------------------------------------------------------------------------
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + _LOCK_SUFFIX)

    @contextlib.contextmanager
    def _file_lock(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _same_token(a: DatevRefreshToken | None, b: DatevRefreshToken | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.generation == b.generation and a.token == b.token


def _reveal(value: Any) -> Any:
    """Plain values for serialisation inside the encrypted document only."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    return value


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _commit_file(tmp, path)


def _commit_file(tmp: Path, path: Path) -> None:
    """Rename into place and make the rename durable (tests replace this to simulate a crash)."""
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
