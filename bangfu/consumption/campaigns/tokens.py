"""Pickup tokens: what the QR code carries, and the short code typed by hand.

The QR code carries ``BFP1:<random token>:<HMAC signature>`` (Django's signer with the
project's SECRET_KEY and a salt of its own): a code not made here fails the signature
check before any database lookup, and a real one names its order by 256 random bits.
The short code is 8 characters of Crockford's base32 (40 bits) — unique within its
campaign, looked up only within one pickup site's campaign, and rate-limited per staff
member and site, so guessing one is hopeless (see services.pickup_lookup).
"""

import re
import secrets
from dataclasses import dataclass

from django.core import signing

PREFIX = "BFP1"
SALT = "bangfu.campaigns.pickup-token"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
SHORT_CODE_LENGTH = 8
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
_SHORT = re.compile(rf"[{ALPHABET}]{{{SHORT_CODE_LENGTH}}}")


@dataclass(frozen=True)
class PickupToken:
    """The random token of one order and its signed form for the QR code."""

    token: str

    @classmethod
    def issue(cls) -> "PickupToken":
        return cls(secrets.token_urlsafe(32))

    def signed(self) -> str:
        return signing.Signer(salt=SALT).sign(f"{PREFIX}:{self.token}")

    @classmethod
    def parse(cls, text: str) -> "PickupToken | None":
        """The token inside a scanned code, or None if the code was not signed here."""
        try:
            value = signing.Signer(salt=SALT).unsign(text.strip())
        except signing.BadSignature:
            return None
        prefix, _sep, token = value.partition(":")
        return cls(token) if prefix == PREFIX and token else None


def looks_signed(text: str) -> bool:
    return text.strip().startswith(f"{PREFIX}:")


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalize_short_code(text: str) -> str | None:
    """Upper case, separators dropped, look-alike letters read as digits; None if not a short code."""
    value = re.sub(r"[\s\-]", "", text or "").upper().translate(_CONFUSABLE)
    return value if _SHORT.fullmatch(value) else None
