"""Rules for idempotency keys: a key is one owner's for 24 hours; the same key with the same
request gets the first answer, with another request a refusal; a key is written in the same
database transaction as the object its request creates, so a committed object always has its
key and a failed write never leaves one behind."""

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.errors import Conflict, InvalidInput
from finance.idempotency.models import IdempotencyKey
from finance.idempotency.repository import IdempotencyKeyRepository
from finance.timestamps import utc_now

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
IN_PROGRESS = (
    "a request with this Idempotency-Key is in progress or its answer was lost; look the object up"
)


async def claim(*, db: AsyncSession, owner_id: int, key: str, fingerprint: str) -> IdempotencyKey:
    """The key's row: the stored one if this request was answered before (`answered`), else a
    new one written, uncommitted, in `db`'s transaction, which the request's write commits.

    Refused when the key came with another request (`InvalidInput`) or its first request has
    no stored answer (`Conflict`): it is still running, or it committed and its answer was
    lost, and running it again could create a second object."""
    keys = IdempotencyKeyRepository(db, owner_id)
    now = utc_now()
    found = await keys.find(key)
    if found is not None and found.created_at < now - KEPT_FOR:
        await keys.remove(found)  # expired: the key is free for a new request
        found = None
    if found is None:
        row = IdempotencyKey(key=key, fingerprint=fingerprint, created_at=now)
        return await _add(db, keys, row)
    if found.fingerprint != fingerprint:
        raise InvalidInput(
            HEADER, "this key came with another request; send a new key for a new request"
        )
    if not found.answered:
        raise Conflict(IN_PROGRESS)
    return found


async def remember(
    *, db: AsyncSession, row: IdempotencyKey, status_code: int, body: bytes, location: str | None
) -> None:
    """Store the answer to the key's first request, so that a retry gets it, and delete the
    owner's keys older than 24 hours (here, in a short transaction, rather than in the one that
    creates the object, which may be a long import). Commits."""
    row.status_code, row.body, row.location = status_code, body, location
    await IdempotencyKeyRepository(db, row.owner_id).forget_before(utc_now() - KEPT_FOR)
    await db.commit()


async def _add(
    db: AsyncSession, keys: IdempotencyKeyRepository, row: IdempotencyKey
) -> IdempotencyKey:
    """Write the new key; another request that wrote it first and committed makes this one a
    `Conflict` (PostgreSQL makes this request wait for that one to end first)."""
    try:
        return await keys.add(row)
    except IntegrityError:
        await db.rollback()
        raise Conflict(IN_PROGRESS) from None
