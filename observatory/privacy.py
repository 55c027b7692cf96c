"""Privacy at the door: pseudonymous respondent keys.

Respondent ids are replaced by a keyed hash (HMAC-SHA256) so analysts can count and
join across tables and waves but cannot re-identify anyone without the key. The key
comes from OBSERVATORY_PSEUDONYM_KEY; the development default below is public and
must be overridden in production.
"""

from __future__ import annotations

import hashlib
import hmac
import os

DEVELOPMENT_KEY = "observatory-development-key-not-secret"


def pseudonym_key() -> bytes:
    return (os.environ.get("OBSERVATORY_PSEUDONYM_KEY") or DEVELOPMENT_KEY).encode()


def pseudonymise(country: str, respondent_id: str, key: bytes | None = None) -> str:
    """Stable 20-hex-digit key for a respondent of a country (same across waves)."""
    message = f"{country}:{respondent_id.strip()}".encode()
    return hmac.new(key or pseudonym_key(), message, hashlib.sha256).hexdigest()[:20]
