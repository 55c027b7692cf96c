"""Privacy at the door: pseudonymous respondent keys.

Respondent ids are replaced by a keyed hash (HMAC-SHA256) so analysts can count and
join across tables and waves. What that protects against, and what it does not, is in
docs/privacy.md: whoever holds the key can recompute every pseudonym from a list of
candidate ids, so the key is a secret of the deployment (OBSERVATORY_PSEUDONYM_KEY, at
least 32 characters). The development key below is public: anyone can reverse
pseudonyms made with it, so it is refused unless OBSERVATORY_ALLOW_DEVELOPMENT_KEY=1
says the data is the shipped synthetic sample (`make demo`, the tests).
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_VARIABLE = "OBSERVATORY_PSEUDONYM_KEY"
ALLOW_VARIABLE = "OBSERVATORY_ALLOW_DEVELOPMENT_KEY"
DEVELOPMENT_KEY = "observatory-development-key-not-secret"
MINIMUM_KEY_CHARACTERS = 32
NEW_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class KeyRefused(Exception):
    """No usable pseudonym key: nothing may be staged."""


def pseudonym_key() -> bytes:
    """The deployment's key; the public development key only where explicitly allowed."""
    key = os.environ.get(KEY_VARIABLE, "")
    if key and key != DEVELOPMENT_KEY:
        if len(key) < MINIMUM_KEY_CHARACTERS:
            raise KeyRefused(
                f"{KEY_VARIABLE} has {len(key)} characters, fewer than "
                f"{MINIMUM_KEY_CHARACTERS}: a short key can be guessed; make one "
                f"with {NEW_KEY}"
            )
        return key.encode()
    if os.environ.get(ALLOW_VARIABLE) == "1":
        return DEVELOPMENT_KEY.encode()
    raise KeyRefused(
        f"{KEY_VARIABLE} is not set: pseudonyms made with the public development "
        f"key can be reversed by anyone. Set it to a secret ({NEW_KEY}), kept "
        f"outside the repository; {ALLOW_VARIABLE}=1 allows the development key "
        "for the shipped synthetic sample only"
    )


def key_fingerprint(key: bytes) -> str:
    """12 hex digits that tell keys apart (recorded in audit.row_accounting) and reveal no
    more about the key than the pseudonyms themselves do."""
    return hmac.new(key, b"observatory pseudonym key fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonymise(country: str, respondent_id: str, key: bytes | None = None) -> str:
    """Stable 20-hex-digit key for a respondent of a country (same across waves)."""
    message = f"{country}:{respondent_id.strip()}".encode()
    return hmac.new(key or pseudonym_key(), message, hashlib.sha256).hexdigest()[:20]
