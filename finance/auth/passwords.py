"""Passwords: the rules a new one must meet, and argon2id hashing.

Hashing takes tens of milliseconds of CPU on purpose, so it runs in a worker thread rather than
on the event loop.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from zxcvbn import zxcvbn

from finance.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_STRENGTH = 3
"""zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" against online guessing
and a slow hash; common passwords and their variations score 0-2."""
STRENGTH_CHECKED_PREFIX = 72
"""zxcvbn judges at most this many characters (it refuses longer input); a password whose first
72 characters are strong is strong."""

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, one lane."""


def check_new_password(password: str, *, email: str, field: str = "password") -> None:
    """Refuse a password that is too short, too long, or common (`InvalidInput` on `field`)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(field, f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(field, f"use at most {MAX_LENGTH} characters")
    checked = password[:STRENGTH_CHECKED_PREFIX]
    if zxcvbn(checked, user_inputs=[email, *email.split("@")])["score"] < MIN_STRENGTH:
        raise InvalidInput(
            field, "this password is too common or too easy to guess; try a few unrelated words"
        )


async def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return await run_in_threadpool(HASHER.hash, password)


async def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; a user without a hash is checked against a dummy
    so that an unknown email takes as long as a wrong password."""
    try:
        matches = await run_in_threadpool(HASHER.verify, password_hash or _DUMMY_HASH, password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    return HASHER.check_needs_rehash(password_hash)


_DUMMY_HASH = HASHER.hash("a password nobody has")
