"""Queries for importing: keys seen before, batches, categories by name and by payee, and the
bulk insert of a confirmed file. Never commits."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from finance.categories.models import Category
from finance.db import Base, on_postgresql
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportKey
from finance.timestamps import utc_now
from finance.transactions.models import Posting, Transaction, TransactionStatus

CHUNK = 500
"""How many values one `IN (...)` list holds (SQLite allows 32,766 parameters)."""
INSERT_CHUNK = 5000
"""How many transactions one round of bulk inserts writes."""
TRANSACTIONS = Base.metadata.tables["transactions"]
POSTINGS = Base.metadata.tables["postings"]
KEYS = Base.metadata.tables["import_keys"]


@dataclass(frozen=True)
class NewTransaction:
    """One imported transaction, ready to insert: the account moves by `amount_minor`."""

    key: str
    date: date
    amount_minor: int
    payee: str
    memo: str
    category_id: int | None


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

    async def insert(
        self,
        batch: ImportBatch,
        currency: str,
        transactions: Sequence[NewTransaction],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Insert the transactions, their two postings each and their keys, in bulk (Core
        inserts with ids reserved up front: `RETURNING` in parameter order would cost one
        statement a row); `progress` hears how many went in after each chunk."""
        now = utc_now()
        for start in range(0, len(transactions), INSERT_CHUNK):
            chunk = transactions[start : start + INSERT_CHUNK]
            pairs = list(zip(await self._reserve_ids(len(chunk)), chunk, strict=True))
            await self.session.execute(
                insert(TRANSACTIONS),
                [
                    {
                        "id": transaction_id,
                        "owner_id": self.owner_id,
                        "date": row.date,
                        "payee": row.payee,
                        "memo": row.memo,
                        "status": TransactionStatus.CLEARED,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for transaction_id, row in pairs
                ],
            )
            await self.session.execute(
                insert(POSTINGS),
                [
                    leg
                    for transaction_id, row in pairs
                    for leg in _legs(transaction_id, batch.account_id, currency, row)
                ],
            )
            await self.session.execute(
                insert(KEYS),
                [
                    {
                        "account_id": batch.account_id,
                        "key": row.key,
                        "transaction_id": transaction_id,
                        "batch_id": batch.id,
                    }
                    for transaction_id, row in pairs
                ],
            )
            if progress is not None:
                progress(len(chunk))

    async def _reserve_ids(self, count: int) -> list[int]:
        """`count` transaction ids nobody else will take: from the id sequence on PostgreSQL;
        on SQLite above the highest, which is safe because this transaction holds the
        database's write lock."""
        if on_postgresql(self.session):
            reserved = await self.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('transactions', 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"count": count},
            )
            return list(reserved)
        highest = await self.session.scalar(select(func.max(Transaction.id))) or 0
        return list(range(highest + 1, highest + 1 + count))

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

    async def delete_batch_transactions(self, batch_id: int) -> int:
        """Delete every transaction the batch added (their keys go with them); how many."""
        added = list(
            await self.session.scalars(
                select(ImportKey.transaction_id).where(ImportKey.batch_id == batch_id)
            )
        )
        for start in range(0, len(added), CHUNK):
            chunk = added[start : start + CHUNK]
            await self.session.execute(delete(Posting).where(Posting.transaction_id.in_(chunk)))
            await self.session.execute(
                delete(Transaction).where(
                    Transaction.owner_id == self.owner_id, Transaction.id.in_(chunk)
                )
            )
        return len(added)


def _legs(
    transaction_id: int, account_id: int, currency: str, row: NewTransaction
) -> list[dict[str, object]]:
    base = {"transaction_id": transaction_id, "currency": currency, "memo": ""}
    return [
        {**base, "account_id": account_id, "category_id": None, "amount_minor": row.amount_minor},
        {
            **base,
            "account_id": None,
            "category_id": row.category_id,
            "amount_minor": -row.amount_minor,
        },
    ]
