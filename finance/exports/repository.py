"""Queries for a backup: everything one owner has, in a stable order. Never commits."""

from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.imports.models import CsvMappingRecord, ImportBatch, ImportKey
from finance.ledger.models import Account, Category, Transaction
from finance.rules.models import CategoryRule


class BackupRepository:
    """One owner's whole ledger, each table in the order its rows were created (top-level
    categories before their children)."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def has_data(self) -> bool:
        """Whether the owner has any account, category, rule or transaction."""
        owned = [
            exists().where(table.owner_id == self.owner_id)
            for table in (Account, Category, CategoryRule, Transaction, ImportBatch)
        ]
        return bool(await self.session.scalar(select(or_(*owned))))

    async def accounts(self) -> Sequence[Account]:
        query = select(Account).where(Account.owner_id == self.owner_id).order_by(Account.id)
        return (await self.session.scalars(query)).all()

    async def categories(self) -> Sequence[Category]:
        query = (
            select(Category)
            .where(Category.owner_id == self.owner_id)
            .order_by(Category.parent_id.is_not(None), Category.id)
        )
        return (await self.session.scalars(query)).all()

    async def category_rules(self) -> Sequence[CategoryRule]:
        query = (
            select(CategoryRule)
            .where(CategoryRule.owner_id == self.owner_id)
            .order_by(CategoryRule.id)
        )
        return (await self.session.scalars(query)).all()

    async def import_batches(self) -> Sequence[ImportBatch]:
        query = (
            select(ImportBatch)
            .where(ImportBatch.owner_id == self.owner_id)
            .order_by(ImportBatch.id)
        )
        return (await self.session.scalars(query)).all()

    async def csv_mappings(self) -> Sequence[CsvMappingRecord]:
        query = (
            select(CsvMappingRecord)
            .join(Account, Account.id == CsvMappingRecord.account_id)
            .where(Account.owner_id == self.owner_id)
            .order_by(CsvMappingRecord.account_id)
        )
        return (await self.session.scalars(query)).all()

    async def transactions_after(self, last_id: int, *, limit: int) -> Sequence[Transaction]:
        """Up to `limit` transactions with ids above `last_id`, by id, postings loaded."""
        query = (
            select(Transaction)
            .where(Transaction.owner_id == self.owner_id, Transaction.id > last_id)
            .order_by(Transaction.id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def import_keys(self, transaction_ids: Sequence[int]) -> Sequence[ImportKey]:
        """The import keys of these (the owner's) transactions."""
        query = (
            select(ImportKey)
            .join(Transaction, Transaction.id == ImportKey.transaction_id)
            .where(
                Transaction.owner_id == self.owner_id,
                ImportKey.transaction_id.in_(transaction_ids),
            )
        )
        return (await self.session.scalars(query)).all()

    async def add_all(self, rows: Sequence[object]) -> None:
        """Stage new rows and give them ids."""
        self.session.add_all(rows)
        await self.session.flush()
