"""Encryption and keyed lookup hashes for sensitive personal data (PIPL).

One master key (BANGFU_DATA_KEY, 32 bytes, urlsafe base64) derives two keys with
HKDF: one for AES-256-GCM encryption of values, one for HMAC-SHA256 lookup hashes.
Ciphertext is stored as text: ``v1:`` + base64(nonce || ciphertext+tag).
"""

import base64
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"


class DecryptionError(ValueError):
    """The stored value was not made with this key, or was altered."""


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    try:
        raw = base64.urlsafe_b64decode(master.encode())
    except ValueError as error:
        raise ImproperlyConfigured("BANGFU_DATA_KEY is not valid base64") from error
    if len(raw) < 32:
        raise ImproperlyConfigured("BANGFU_DATA_KEY must hold at least 32 bytes")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    return derive(b"bangfu encryption"), derive(b"bangfu lookup")


def _current() -> tuple[bytes, bytes]:
    return _keys(settings.BANGFU_DATA_KEY)


@lru_cache(maxsize=4)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    enc_key, _ = _current()
    nonce = os.urandom(12)
    sealed = _cipher(enc_key).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("unknown ciphertext format")
    enc_key, _ = _current()
    try:
        blob = base64.b64decode(token[len(PREFIX) :])
        return _cipher(enc_key).decrypt(blob[:12], blob[12:], None).decode()
    except Exception as error:  # noqa: BLE001 - any failure means the same thing here
        raise DecryptionError("value cannot be decrypted with the current key") from error


def lookup_hash(value: str) -> str:
    """A keyed hash for equality search: equal inputs, equal hashes; useless without the key."""
    _, mac_key = _current()
    return hmac.digest(mac_key, value.encode(), "sha256").hex()


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()
