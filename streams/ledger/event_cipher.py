"""Event-store encryption: AES-GCM keys derived from the vault key(s) with HKDF.

eventsourcing encrypts each stored event's state with the cipher named by ``CIPHER_TOPIC``. This
cipher writes with the key derived from the newest vault key and reads with any of the keys
derived from the configured vault keys, so ``vault rotate-key`` (new key first, old key kept in
the list) keeps older events readable. Dropping an old vault key makes the events written under
it unreadable — the event store is not re-encrypted on rotation. HKDF with its own ``info``
label means the event-store key is never the vault key itself.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment
from pydantic import SecretStr

CIPHER_TOPIC = "streams.ledger.event_cipher:VaultDerivedCipher"
COMPRESSOR_TOPIC = "eventsourcing.compressor:ZlibCompressor"
KEYS_VARIABLE = "CIPHER_KEY"  # comma-separated base64 keys, newest first
_INFO = b"ml-connector event store v1"


def derive_key(vault_key: SecretStr) -> str:
    """A 256-bit AES key (base64) derived from one vault key."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return b64encode(hkdf.derive(vault_key.get_secret_value().encode("ascii"))).decode("ascii")


def derived_keys(vault_keys: Sequence[SecretStr]) -> str:
    return ",".join(derive_key(k) for k in vault_keys)


class EventStoreKeyError(ValueError):
    """Stored events cannot be decrypted with any configured key."""


class VaultDerivedCipher(Cipher):
    """AES-GCM (eventsourcing's ``AESCipher``) over several keys: write newest, read any."""

    def __init__(self, environment: Environment) -> None:
        raw = environment.get(KEYS_VARIABLE) or ""
        keys = [k for k in raw.split(",") if k]
        if not keys:
            raise OSError(f"{KEYS_VARIABLE} not in the event-store environment")
        self._ciphers = [AESCipher(Environment(env={KEYS_VARIABLE: k})) for k in keys]
        for k in keys:
            AESCipher.check_key_size(len(b64decode(k)))

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._ciphers[0].encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(ciphertext)
            except (InvalidTag, ValueError):
                continue
        raise EventStoreKeyError(
            "an event in the event store cannot be decrypted with the configured vault key(s): "
            "set MLC_VAULT__KEY to the key(s) the event store was written with (newest first)"
        )
