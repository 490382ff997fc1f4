"""Queries for importing: keys seen before, batches, categories by name and by payee. The
transactions themselves go in through `finance.ledger.journal`. Never commits."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from finance.db import Base
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportJoin, ImportKey
from finance.ledger.models import Account, Category, Posting, Transaction, TransactionStatus

CHUNK = 500
"""How many values one `IN (...)` list holds (SQLite allows 32,766 parameters)."""
KEYS = Base.metadata.tables["import_keys"]


class AccountLine(NamedTuple):
    """A transaction already in an account: how much it moves the account, and whether it
    came from a file that gave the bank's id."""

    transaction_id: int
    date: date
    amount_minor: int
    payee: str
    has_reference: bool


class TransferSide(NamedTuple):
    """A transaction in another account whose category leg an imported line could take."""

    transaction_id: int
    date: date
    payee: str
    account_id: int
    posting_id: int
    category_id: int | None
    amount_minor: int


class ImportRepository:
    """One owner's imports."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def known_keys(self, account_id: int, keys: Sequence[str]) -> dict[str, int]:
        """Which of `keys` the account already holds, with the transaction each stands for."""
        known: dict[str, int] = {}
        for start in range(0, len(keys), CHUNK):
            found = await self.session.execute(
                select(ImportKey.key, ImportKey.transaction_id).where(
                    ImportKey.account_id == account_id,
                    ImportKey.key.in_(keys[start : start + CHUNK]),
                )
            )
            known.update({key: transaction_id for key, transaction_id in found})
        return known

    async def account_lines(self, account_id: int, days: Iterable[date]) -> list[AccountLine]:
        """The account's transactions on these days, whatever wrote them, oldest first."""
        wanted, found = sorted(set(days)), list[AccountLine]()
        with_reference = exists().where(
            ImportKey.transaction_id == Transaction.id,
            ImportKey.account_id == account_id,
            ImportKey.key.startswith("ref:"),
        )
        for start in range(0, len(wanted), CHUNK):
            rows = await self.session.execute(
                select(
                    Transaction.id,
                    Transaction.date,
                    func.sum(Posting.amount_minor),
                    Transaction.payee,
                    with_reference,
                )
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(
                    Transaction.owner_id == self.owner_id,
                    Posting.account_id == account_id,
                    Transaction.date.in_(wanted[start : start + CHUNK]),
                )
                .group_by(Transaction.id, Transaction.date, Transaction.payee)
                .order_by(Transaction.date, Transaction.id)
            )
            found.extend(AccountLine(*row) for row in rows)
        return found

    async def transfer_sides(
        self, account: Account, amounts: Iterable[int], first: date, last: date
    ) -> list[TransferSide]:
        """The owner's transactions between `first` and `last` that move one other account of
        `account`'s currency and balance it with one category (or uncategorised) leg of one of
        `amounts`, not reconciled: each could be the other side of a line of `account`."""
        other, counted = aliased(Posting), aliased(Posting)
        wanted, found = sorted(set(amounts)), list[TransferSide]()
        two_legs = (
            select(func.count())
            .select_from(counted)
            .where(counted.transaction_id == Transaction.id)
            .scalar_subquery()
        )
        for start in range(0, len(wanted), CHUNK):
            rows = await self.session.execute(
                select(
                    Transaction.id,
                    Transaction.date,
                    Transaction.payee,
                    func.coalesce(other.account_id, 0),
                    Posting.id,
                    Posting.category_id,
                    Posting.amount_minor,
                )
                .join(Posting, Posting.transaction_id == Transaction.id)
                .join(other, other.transaction_id == Transaction.id)
                .where(
                    Transaction.owner_id == self.owner_id,
                    Transaction.date.between(first, last),
                    Transaction.status != TransactionStatus.RECONCILED,
                    Posting.account_id.is_(None),
                    Posting.currency == account.currency,
                    Posting.amount_minor.in_(wanted[start : start + CHUNK]),
                    other.account_id.is_not(None),
                    other.account_id != account.id,
                    two_legs == 2,
                )
                .order_by(Transaction.date, Transaction.id)
            )
            found.extend(TransferSide(*row) for row in rows)
        return found

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

    async def add_join(self, join: ImportJoin) -> None:
        """Stage a join of a batch's line with a transaction already there."""
        self.session.add(join)

    async def batch_joins(self, batch_id: int) -> list[ImportJoin]:
        """The joins a batch made."""
        return list(
            await self.session.scalars(select(ImportJoin).where(ImportJoin.batch_id == batch_id))
        )

    async def joining_batch(self, batch_id: int) -> ImportBatch | None:
        """Another batch that joined one of this batch's transactions (the newest), if any."""
        joined = select(ImportJoin.batch_id).where(
            ImportJoin.transaction_id.in_(
                select(ImportKey.transaction_id).where(ImportKey.batch_id == batch_id)
            ),
            ImportJoin.batch_id != batch_id,
        )
        return await self.session.scalar(
            select(ImportBatch).where(ImportBatch.id.in_(joined)).order_by(ImportBatch.id.desc())
        )

    async def leg_in_account(self, posting_id: int, account_id: int) -> bool:
        """Whether a joined leg is still the one the join moved into the account."""
        found = await self.session.scalar(
            select(Posting.id).where(Posting.id == posting_id, Posting.account_id == account_id)
        )
        return found is not None

    async def forget_batch(self, batch_id: int) -> None:
        """Drop the joins and the keys a batch still holds (it has been undone)."""
        await self.session.execute(delete(ImportJoin).where(ImportJoin.batch_id == batch_id))
        await self.session.execute(delete(ImportKey).where(ImportKey.batch_id == batch_id))
