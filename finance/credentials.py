"""Random secrets and the digests that stand in for them in the database.

Sessions and access tokens are 256-bit random strings, so a plain SHA-256 is the right digest:
nothing can be guessed, and a lookup by digest is one indexed query. (Passwords, which people
choose, get argon2id instead: `finance.auth.passwords`.)
"""

import hashlib
import hmac
import secrets

SECRET_BYTES = 32
TOKEN_PREFIX = "fin_"
"""Access tokens start with this, so a leaked one is easy to recognise (and to scan for)."""


def new_secret(prefix: str = "") -> str:
    """A fresh URL-safe secret of 256 random bits."""
    return prefix + secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """The hex SHA-256 kept in the database in place of `secret`."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())
