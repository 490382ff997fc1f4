"""The journal: the one door through which transactions and postings are created, changed and
deleted, one at a time or in bulk.

Every write checks what it is about to store (each currency's postings sum to zero; every
account and category named is the owner's; an account moves only in its own currency, and not
before its opening date), then changes the maintained totals in the same database transaction.
Nothing here commits: the calling service does, once its whole change is made, so an import's
batch and its transactions, or a category and the lines moved out of it, land together.
"""

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from finance.db import Base, on_postgresql
from finance.errors import BeforeOpeningDate, InvalidInput
from finance.ledger.entries import Entry, Leg, unbalanced_currencies
from finance.ledger.models import (
    Account,
    Category,
    CategoryMonth,
    Posting,
    Transaction,
    category_line,
)
from finance.ledger.totals import TotalsChange, count_postings
from finance.timestamps import utc_now

CHUNK = 500
"""How many values one `IN (...)` list holds (SQLite allows 32,766 parameters)."""
TRANSACTIONS = Base.metadata.tables["transactions"]
POSTINGS = Base.metadata.tables["postings"]
HEADER_FIELDS = frozenset({"date", "payee", "memo", "status"})
Owned = TypeVar("Owned", Account, Category)


class Journal:
    """One owner's transactions: the only code that writes them, their postings and the totals."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id
        self._found: dict[type[Account | Category], dict[int, Any]] = {Account: {}, Category: {}}
        """The accounts and categories looked up so far, by id."""

    async def accounts(self, account_ids: Collection[int]) -> dict[int, Account]:
        """Those of the owner's accounts with these ids that exist. Each is looked up once in
        this journal's life: the service that builds an entry checks its accounts through the
        journal, and the journal's own check of the entry then costs no query."""
        return await self._owned_rows(Account, account_ids)

    async def categories(self, category_ids: Collection[int]) -> dict[int, Category]:
        """Those of the owner's categories with these ids that exist, each looked up once."""
        return await self._owned_rows(Category, category_ids)

    async def record(self, entry: Entry) -> Transaction:
        """Write one transaction; it comes back with its id and postings."""
        await self._check([entry])
        transaction = Transaction(
            owner_id=self.owner_id,
            date=entry.date,
            payee=entry.payee,
            memo=entry.memo,
            status=entry.status,
            postings=[_posting(leg) for leg in entry.legs],
        )
        self.session.add(transaction)
        await self.session.flush()
        change = TotalsChange()
        change.add_transaction(transaction)
        await change.apply(self.session)
        return transaction

    async def record_many(self, entries: Sequence[Entry]) -> list[int]:
        """Write many transactions at once (an import, a backup): bulk inserts with their ids
        reserved up front, which `RETURNING` in order would cost a statement a row. The ids, in
        the order of `entries`."""
        if not entries:
            return []
        await self._check(entries)
        ids = await self._reserve_ids(len(entries))
        now = utc_now()
        await self.session.execute(
            insert(TRANSACTIONS),
            [
                {
                    "id": transaction_id,
                    "owner_id": self.owner_id,
                    "date": entry.date,
                    "payee": entry.payee,
                    "memo": entry.memo,
                    "status": entry.status,
                    "created_at": entry.created_at or now,
                    "updated_at": entry.updated_at or now,
                }
                for transaction_id, entry in zip(ids, entries, strict=True)
            ],
        )
        await self.session.execute(
            insert(POSTINGS),
            [
                {
                    "transaction_id": transaction_id,
                    "account_id": leg.account_id,
                    "category_id": leg.category_id,
                    "amount_minor": leg.amount_minor,
                    "currency": leg.currency,
                    "memo": leg.memo,
                    "conversion": leg.conversion,
                }
                for transaction_id, entry in zip(ids, entries, strict=True)
                for leg in entry.legs
            ],
        )
        change = TotalsChange()
        for entry in entries:
            change.add_entry(entry)
        await change.apply(self.session)
        return ids

    async def replace(self, transaction: Transaction, entry: Entry) -> None:
        """Give a transaction a new header and new postings in place of its old ones."""
        await self._check([entry])
        change = TotalsChange()
        change.add_transaction(transaction, sign=-1)
        transaction.date, transaction.payee, transaction.memo = entry.date, entry.payee, entry.memo
        transaction.status = entry.status
        transaction.postings = [_posting(leg) for leg in entry.legs]
        transaction.updated_at = utc_now()
        await self.session.flush()
        change.add_transaction(transaction)
        await change.apply(self.session)

    async def amend(self, transaction: Transaction, changes: Mapping[str, Any]) -> None:
        """Change a transaction's date, payee, memo or status; its postings stay."""
        unknown = set(changes) - HEADER_FIELDS
        if unknown:
            raise ValueError(f"not a header field: {', '.join(sorted(unknown))}")
        if "date" in changes:
            await self._check([Entry(changes["date"], [_leg(p) for p in transaction.postings])])
        change = TotalsChange()
        change.add_transaction(transaction, sign=-1)
        for field, value in changes.items():
            setattr(transaction, field, value)
        await self.session.flush()
        change.add_transaction(transaction)
        await change.apply(self.session)

    async def delete(self, transaction: Transaction) -> None:
        """Delete a transaction and its postings."""
        change = TotalsChange()
        change.add_transaction(transaction, sign=-1)
        await self.session.delete(transaction)
        await self.session.flush()
        await change.apply(self.session)

    async def delete_many(self, transaction_ids: Sequence[int]) -> int:
        """Delete many of the owner's transactions (an import undone); how many there were."""
        change, deleted = TotalsChange(), 0
        for start in range(0, len(transaction_ids), CHUNK):
            chunk = self._owned(transaction_ids[start : start + CHUNK])
            await count_postings(self.session, change, Posting.transaction_id.in_(chunk), sign=-1)
            await self.session.execute(delete(Posting).where(Posting.transaction_id.in_(chunk)))
            result = await self.session.execute(
                delete(Transaction).where(Transaction.id.in_(chunk))
            )
            deleted += cast(CursorResult[Any], result).rowcount
        await change.apply(self.session)
        return deleted

    async def delete_all(self) -> None:
        """Delete every transaction the owner has."""
        ids = await self.session.scalars(
            select(Transaction.id).where(Transaction.owner_id == self.owner_id)
        )
        await self.delete_many(list(ids))

    async def recategorise(self, posting_ids: Sequence[int], category_id: int) -> None:
        """Move these category lines (of the owner's transactions) to another category."""
        await self._require_categories({category_id})
        change = TotalsChange()
        for start in range(0, len(posting_ids), CHUNK):
            lines = Posting.id.in_(posting_ids[start : start + CHUNK])
            chosen = lines & category_line() & self._owned_posting()
            await count_postings(self.session, change, chosen, sign=-1)
            await count_postings(self.session, change, chosen, sign=1, category_id=category_id)
            await self.session.execute(
                update(Posting).where(chosen).values(category_id=category_id)
            )
        await change.apply(self.session)

    async def move_leg(
        self, posting_id: int, *, account_id: int | None, category_id: int | None
    ) -> None:
        """Point one leg of a transaction at another account or category (both None: an
        uncategorised line), its amount kept: how an imported line joins the transaction
        already in another account as a transfer, and how undoing the import parts them."""
        posting = await self.session.scalar(
            select(Posting).where(Posting.id == posting_id, self._owned_posting())
        )
        if posting is None:
            raise InvalidInput("postings", f"posting {posting_id} not found")
        transaction = await self.session.get_one(Transaction, posting.transaction_id)
        moved = Leg(posting.amount_minor, posting.currency, account_id, category_id, posting.memo)
        legs = [moved if p.id == posting_id else _leg(p) for p in transaction.postings]
        await self._check([Entry(transaction.date, legs)])
        change = TotalsChange()
        change.add_transaction(transaction, sign=-1)
        posting.account_id, posting.category_id = account_id, category_id
        await self.session.flush()
        change.add_transaction(transaction)
        await change.apply(self.session)

    async def move_category(self, from_id: int, to_id: int) -> None:
        """Move every line of one category to another (before the first is deleted)."""
        await self._require_categories({from_id, to_id})
        change = TotalsChange()
        for month in await self.session.scalars(
            select(CategoryMonth).where(CategoryMonth.category_id == from_id)
        ):
            for category_id, sign in ((from_id, -1), (to_id, 1)):
                change.add(
                    account_id=None,
                    category_id=category_id,
                    currency=month.currency,
                    amount_minor=month.posted_minor,
                    day=month.month,
                    cleared=False,
                    sign=sign,
                    postings=month.postings,
                )
        await self.session.execute(
            update(Posting)
            .where(Posting.category_id == from_id, self._owned_posting())
            .values(category_id=to_id)
        )
        await change.apply(self.session)

    # Checks

    async def _check(self, entries: Sequence[Entry]) -> None:
        """Refuse entries that would break the ledger, before anything is written."""
        earliest: dict[int, date] = {}
        """Each account named, and the earliest day it moves."""
        moves: set[tuple[int, str]] = set()
        """Each account named, with each currency it moves in."""
        category_ids: set[int] = set()
        for entry in entries:
            if len(entry.legs) < 2:
                raise InvalidInput("postings", "a transaction needs two postings or more")
            unbalanced = unbalanced_currencies(entry.legs)
            if unbalanced:
                raise InvalidInput(
                    "postings", f"postings do not balance in {', '.join(unbalanced)}"
                )
            for leg in entry.legs:
                if leg.conversion and (leg.account_id or leg.category_id) is not None:
                    raise InvalidInput(
                        "postings", "a conversion leg names neither an account nor a category"
                    )
                if leg.account_id is not None:
                    moves.add((leg.account_id, leg.currency))
                    if leg.account_id not in earliest or entry.date < earliest[leg.account_id]:
                        earliest[leg.account_id] = entry.date
                elif leg.category_id is not None:
                    category_ids.add(leg.category_id)
        await self._require_categories(category_ids)
        accounts = await self.accounts(earliest.keys())
        if missing := earliest.keys() - accounts.keys():
            raise InvalidInput("postings", f"account {min(missing)} not found")
        for account_id, currency in sorted(moves):
            _check_moves(accounts[account_id], currency, earliest[account_id])

    async def _require_categories(self, category_ids: Collection[int]) -> None:
        if missing := set(category_ids) - set(await self.categories(category_ids)):
            raise InvalidInput("postings", f"category {min(missing)} not found")

    async def _owned_rows(self, model: type[Owned], ids: Collection[int]) -> dict[int, Owned]:
        found: dict[int, Owned] = self._found[model]
        wanted = sorted(set(ids) - set(found))
        for start in range(0, len(wanted), CHUNK):
            rows = await self.session.scalars(
                select(model).where(
                    model.owner_id == self.owner_id, model.id.in_(wanted[start : start + CHUNK])
                )
            )
            found.update({row.id: row for row in rows})
        return {row_id: found[row_id] for row_id in ids if row_id in found}

    # Helpers

    def _owned(self, transaction_ids: Sequence[int]) -> Select[int]:
        """Those of the ids that are the owner's transactions, as a sub-query."""
        return select(Transaction.id).where(
            Transaction.owner_id == self.owner_id, Transaction.id.in_(transaction_ids)
        )

    def _owned_posting(self) -> ColumnElement[bool]:
        """A posting of one of the owner's transactions."""
        return Posting.transaction_id.in_(
            select(Transaction.id).where(Transaction.owner_id == self.owner_id)
        )

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


def _check_moves(account: Account, currency: str, earliest: date) -> None:
    """An account moves only in its own currency, and not before its opening date."""
    if currency != account.currency:
        raise InvalidInput(
            "postings", f"account {account.id} holds {account.currency}, not {currency}"
        )
    if account.opening_date is not None and earliest < account.opening_date:
        raise BeforeOpeningDate(
            account_id=account.id,
            account_name=account.name,
            opening_date=account.opening_date,
            day=earliest,
            field="date",
        )


def _posting(leg: Leg) -> Posting:
    return Posting(
        account_id=leg.account_id,
        category_id=leg.category_id,
        amount_minor=leg.amount_minor,
        currency=leg.currency,
        memo=leg.memo,
        conversion=leg.conversion,
    )


def _leg(posting: Posting) -> Leg:
    return Leg(
        posting.amount_minor,
        posting.currency,
        account_id=posting.account_id,
        category_id=posting.category_id,
        memo=posting.memo,
        conversion=posting.conversion,
    )
