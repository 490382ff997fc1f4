"""Login throttling: how long an account or an address must wait after failed logins.

Each failure is a row in `login_failures` (so every worker sees the same counts), keyed by the
email tried and by the client's address. Within a window, the first few failures are free; after
them each attempt must wait twice as long as the last (slowed), and at the limit the key is
refused until its oldest counted failure leaves the window (refused). Nothing waits longer than
the window, so an attacker cannot lock a user out for long, and the user's own address has its
own, larger allowance.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil


@dataclass(frozen=True)
class Policy:
    """`free` failures cost nothing; `limit` failures in `window` refuse the key."""

    free: int
    limit: int
    window: timedelta


ACCOUNT_POLICY = Policy(free=3, limit=10, window=timedelta(minutes=15))
ADDRESS_POLICY = Policy(free=10, limit=50, window=timedelta(minutes=15))


def account_key(email: str) -> str:
    """The throttle key of an account."""
    return f"email:{email}"


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return f"ip:{address}"


def wait_seconds(failures: Sequence[datetime], *, now: datetime, policy: Policy) -> int:
    """Seconds before the next attempt is heard, given a key's failures (oldest first)."""
    recent = [failed for failed in failures if failed > now - policy.window]
    count = len(recent)
    if count < policy.free:
        return 0
    backoff = min(timedelta(seconds=2 ** (count - policy.free)), policy.window)
    until = recent[-1] + backoff
    if count >= policy.limit:
        until = max(until, recent[count - policy.limit] + policy.window)
    return max(0, ceil((until - now).total_seconds()))
