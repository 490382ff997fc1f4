"""Queries on one owner's idempotency keys. Never commits."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.idempotency.models import IdempotencyKey


class IdempotencyKeyRepository:
    """One owner's idempotency keys."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def find(self, key: str) -> IdempotencyKey | None:
        """The key's row, however old."""
        return await self.session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.owner_id == self.owner_id, IdempotencyKey.key == key
            )
        )

    async def remove(self, row: IdempotencyKey) -> None:
        """Delete a key now, so that it can be written again in the same transaction."""
        await self.session.delete(row)
        await self.session.flush()

    async def forget_before(self, cutoff: datetime) -> None:
        """Delete the keys stored before `cutoff`."""
        await self.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner_id == self.owner_id, IdempotencyKey.created_at < cutoff
            )
        )

    async def add(self, row: IdempotencyKey) -> IdempotencyKey:
        """Write a new key now, in the session's transaction: a second request with the same
        key fails here (the unique constraint) or waits here until the first one ends."""
        row.owner_id = self.owner_id
        self.session.add(row)
        await self.session.flush()
        return row
