"""Queries on accounts and their balances. Never commits."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.models import Account
from finance.names import name_key
from finance.pagination import Position
from finance.transactions.models import Posting, Transaction, TransactionStatus


@dataclass(frozen=True)
class PostingTotals:
    """The sum of an account's postings, all of them and the cleared ones."""

    total: int
    cleared: int


class AccountRepository:
    """One owner's accounts."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def list(self, *, archived: bool | None = None) -> Sequence[Account]:
        """The owner's accounts by name, optionally only archived or only active ones."""
        query = select(Account).where(Account.owner_id == self.owner_id)
        if archived is not None:
            query = query.where(Account.archived == archived)
        return (await self.session.scalars(query.order_by(Account.name_key, Account.id))).all()

    async def get(self, account_id: int) -> Account | None:
        """The owner's account with this id."""
        return await self.session.scalar(
            select(Account).where(Account.id == account_id, Account.owner_id == self.owner_id)
        )

    async def get_by_name(self, name: str) -> Account | None:
        """The owner's account with this name, ignoring case."""
        return await self.session.scalar(
            select(Account).where(
                Account.owner_id == self.owner_id, Account.name_key == name_key(name)
            )
        )

    async def add(self, account: Account) -> Account:
        """Stage a new account and give it an id."""
        account.owner_id = self.owner_id
        self.session.add(account)
        await self.session.flush()
        return account

    async def delete(self, account: Account) -> None:
        """Stage the account's removal."""
        await self.session.delete(account)
        await self.session.flush()

    async def count_postings(self, account_id: int) -> int:
        """How many postings touch the account."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Posting)
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(Posting.account_id == account_id, Transaction.owner_id == self.owner_id)
        )
        return count or 0

    async def first_transaction_date(self, account_id: int) -> date | None:
        """The date of the account's earliest transaction, if it has any."""
        return await self.session.scalar(
            select(func.min(Transaction.date))
            .join(Posting, Posting.transaction_id == Transaction.id)
            .where(Posting.account_id == account_id, Transaction.owner_id == self.owner_id)
        )

    async def posted_through(self, account_id: int, position: Position) -> int:
        """The account's postings up to and including the transaction at `position`, in the
        register's (date, id) order."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(Posting.amount_minor), 0))
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(
                Posting.account_id == account_id,
                Transaction.owner_id == self.owner_id,
                tuple_(Transaction.date, Transaction.id) <= tuple_(position.date, position.id),
            )
        )
        return int(total or 0)

    async def posted_sums(self, account_ids: Sequence[int]) -> dict[int, int]:
        """Each account's postings summed, in one query answered from the postings index."""
        owned = select(Account.id).where(Account.owner_id == self.owner_id)
        query = (
            select(Posting.account_id, func.sum(Posting.amount_minor))
            .where(Posting.account_id.in_(account_ids), Posting.account_id.in_(owned))
            .group_by(Posting.account_id)
        )
        rows = await self.session.execute(query)
        return {account_id: int(total) for account_id, total in rows if account_id is not None}

    async def posted_totals(self, account_id: int, *, as_of: date | None) -> PostingTotals:
        """The account's postings (up to and including `as_of`): all, and the cleared ones."""
        cleared = Transaction.status.in_([TransactionStatus.CLEARED, TransactionStatus.RECONCILED])
        query = (
            select(
                func.coalesce(func.sum(Posting.amount_minor), 0),
                func.coalesce(func.sum(case((cleared, Posting.amount_minor), else_=0)), 0),
            )
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(Posting.account_id == account_id, Transaction.owner_id == self.owner_id)
        )
        if as_of is not None:
            query = query.where(Transaction.date <= as_of)
        total, cleared_total = (await self.session.execute(query)).one()
        return PostingTotals(int(total), int(cleared_total))
