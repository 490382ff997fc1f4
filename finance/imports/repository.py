"""Queries for importing: keys seen before, batches, categories by name and by payee. The
transactions themselves go in through `finance.ledger.journal`. Never commits."""

from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.db import Base
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportKey
from finance.ledger.models import Category, Posting, Transaction, TransactionStatus

CHUNK = 500
"""How many values one `IN (...)` list holds (SQLite allows 32,766 parameters)."""
KEYS = Base.metadata.tables["import_keys"]


class ImportRepository:
    """One owner's imports."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def known_keys(self, account_id: int, keys: Sequence[str]) -> set[str]:
        """Which of `keys` the account already holds."""
        known: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            found = await self.session.scalars(
                select(ImportKey.key).where(
                    ImportKey.account_id == account_id,
                    ImportKey.key.in_(keys[start : start + CHUNK]),
                )
            )
            known.update(found)
        return known

    async def category_ids_by_key(self) -> dict[str, int]:
        """The owner's categories by name key (case-folded name)."""
        rows = await self.session.execute(
            select(Category.name_key, Category.id).where(Category.owner_id == self.owner_id)
        )
        return {name_key: category_id for name_key, category_id in rows}

    async def last_categories(self, payees: Iterable[str]) -> dict[str, int]:
        """For each payee (lower-cased) that has one, the category of its newest line."""
        wanted = sorted({payee.lower() for payee in payees if payee})
        found: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            payee = func.lower(Transaction.payee)
            rows = await self.session.execute(
                select(payee, Posting.category_id)
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(
                    Transaction.owner_id == self.owner_id,
                    payee.in_(wanted[start : start + CHUNK]),
                    Posting.category_id.is_not(None),
                )
                .order_by(Transaction.date, Transaction.id)
            )
            found.update({name: category for name, category in rows if category})
        return found

    async def add_batch(self, batch: ImportBatch) -> ImportBatch:
        """Stage a batch and give it an id."""
        batch.owner_id = self.owner_id
        self.session.add(batch)
        await self.session.flush()
        return batch

    async def add_keys(
        self, batch: ImportBatch, transaction_ids: Sequence[int], keys: Sequence[str]
    ) -> None:
        """Remember the key of each transaction the batch added, in the batch's account."""
        if transaction_ids:
            await self.session.execute(
                insert(KEYS),
                [
                    {
                        "account_id": batch.account_id,
                        "key": key,
                        "transaction_id": transaction_id,
                        "batch_id": batch.id,
                    }
                    for transaction_id, key in zip(transaction_ids, keys, strict=True)
                ],
            )

    async def saved_mapping(self, account_id: int) -> str | None:
        """The CSV mapping (JSON) last confirmed for the account."""
        return await self.session.scalar(
            select(CsvMappingRecord.mapping).where(CsvMappingRecord.account_id == account_id)
        )

    async def save_mapping(self, account_id: int, mapping: str) -> None:
        """Remember a CSV mapping (JSON) for the account, replacing the last one."""
        record = await self.session.get(CsvMappingRecord, account_id)
        if record is None:
            self.session.add(CsvMappingRecord(account_id=account_id, mapping=mapping))
        else:
            record.mapping = mapping

    async def batch(self, batch_id: int) -> ImportBatch | None:
        """One of the owner's batches."""
        return await self.session.scalar(
            select(ImportBatch).where(
                ImportBatch.owner_id == self.owner_id, ImportBatch.id == batch_id
            )
        )

    async def batches(self) -> Sequence[ImportBatch]:
        """The owner's batches, newest first."""
        return (
            await self.session.scalars(
                select(ImportBatch)
                .where(ImportBatch.owner_id == self.owner_id)
                .order_by(ImportBatch.id.desc())
            )
        ).all()

    async def batch_statuses(self, batch_id: int) -> list[TransactionStatus]:
        """The status of every transaction the batch still holds."""
        rows = await self.session.scalars(
            select(Transaction.status)
            .join(ImportKey, ImportKey.transaction_id == Transaction.id)
            .where(ImportKey.batch_id == batch_id)
        )
        return list(rows)

    async def batch_transaction_ids(self, batch_id: int) -> list[int]:
        """The transactions the batch added that are still there."""
        return list(
            await self.session.scalars(
                select(ImportKey.transaction_id).where(ImportKey.batch_id == batch_id)
            )
        )
