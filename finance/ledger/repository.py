"""Reads of one owner's ledger answered from the maintained totals: balances (now, at the end of
a day, after a given transaction), what went into each category over a period, and whether an
account or category is in use. None of them sums an account's whole history; where a period
starts or ends inside a month, only the postings of that month's days outside the period are
read, through the transactions' `(owner_id, date, id)` index. Never writes."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from finance.ledger.models import (
    Account,
    AccountMonth,
    AccountTotal,
    Category,
    CategoryMonth,
    Posting,
    Transaction,
    TransactionStatus,
)
from finance.ledger.totals import month_of, next_month
from finance.pagination import Position


@dataclass(frozen=True)
class PostedTotals:
    """An account's postings summed: all of them, and the cleared and reconciled ones."""

    total: int = 0
    cleared: int = 0


@dataclass(frozen=True)
class CategoryTotal:
    """What went into a category (None: uncategorised) over a period, in one currency: positive
    for spending, negative for income."""

    category_id: int | None
    currency: str
    minor: int


class LedgerRepository:
    """One owner's balances and category figures."""

    def __init__(self, session: AsyncSession, owner_id: int) -> None:
        self.session = session
        self.owner_id = owner_id

    async def posted(self, account_ids: Sequence[int]) -> dict[int, PostedTotals]:
        """Each account's postings, summed (an account without any is left out)."""
        query = (
            select(AccountTotal)
            .join(Account, Account.id == AccountTotal.account_id)
            .where(Account.owner_id == self.owner_id, AccountTotal.account_id.in_(account_ids))
        )
        return {
            row.account_id: PostedTotals(row.posted_minor, row.cleared_minor)
            for row in await self.session.scalars(query)
        }

    async def posted_as_of(self, account_id: int, day: date) -> PostedTotals:
        """The account's postings up to and including `day`: its months up to that day's,
        less what that month holds after the day."""
        month = month_of(day)
        whole = (
            await self.session.execute(
                select(
                    func.coalesce(func.sum(AccountMonth.posted_minor), 0),
                    func.coalesce(func.sum(AccountMonth.cleared_minor), 0),
                ).where(
                    AccountMonth.account_id == account_id,
                    AccountMonth.month <= month,
                    AccountMonth.account_id.in_(self._accounts()),
                )
            )
        ).one()
        cleared = Transaction.status != TransactionStatus.UNCLEARED
        after = (
            await self.session.execute(
                select(
                    func.coalesce(func.sum(Posting.amount_minor), 0),
                    func.coalesce(func.sum(case((cleared, Posting.amount_minor), else_=0)), 0),
                )
                .select_from(Transaction)
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(
                    self._dated(day + timedelta(days=1), next_month(month)),
                    Posting.account_id == account_id,
                )
            )
        ).one()
        return PostedTotals(int(whole[0]) - int(after[0]), int(whole[1]) - int(after[1]))

    async def posted_through(self, account_id: int, position: Position) -> int:
        """The account's postings up to and including the transaction at `position`, in the
        register's (date, id) order: the months before, and that month's days up to it."""
        month = month_of(position.date)
        before = await self.session.scalar(
            select(func.coalesce(func.sum(AccountMonth.posted_minor), 0)).where(
                AccountMonth.account_id == account_id,
                AccountMonth.month < month,
                AccountMonth.account_id.in_(self._accounts()),
            )
        )
        within = await self.session.scalar(
            select(func.coalesce(func.sum(Posting.amount_minor), 0))
            .select_from(Transaction)
            .join(Posting, Posting.transaction_id == Transaction.id)
            .where(
                self._dated(month, position.date + timedelta(days=1)),
                tuple_(Transaction.date, Transaction.id) <= tuple_(position.date, position.id),
                Posting.account_id == account_id,
            )
        )
        return int(before or 0) + int(within or 0)

    async def postings_in_account(self, account_id: int) -> int:
        """How many postings move the account."""
        count = await self.session.scalar(
            select(AccountTotal.postings).where(
                AccountTotal.account_id == account_id,
                AccountTotal.account_id.in_(self._accounts()),
            )
        )
        return int(count or 0)

    async def first_day(self, account_id: int) -> date | None:
        """The date of the account's earliest transaction, if it has any."""
        first_month = await self.session.scalar(
            select(func.min(AccountMonth.month)).where(
                AccountMonth.account_id == account_id,
                AccountMonth.postings > 0,
                AccountMonth.account_id.in_(self._accounts()),
            )
        )
        if first_month is None:
            return None
        return await self.session.scalar(
            select(func.min(Transaction.date))
            .join(Posting, Posting.transaction_id == Transaction.id)
            .where(
                self._dated(first_month, next_month(first_month)), Posting.account_id == account_id
            )
        )

    async def lines_in_categories(self, category_ids: Sequence[int]) -> int:
        """How many transaction lines use these categories."""
        count = await self.session.scalar(
            select(func.sum(CategoryMonth.postings)).where(
                CategoryMonth.category_id.in_(category_ids),
                CategoryMonth.category_id.in_(self._categories()),
            )
        )
        return int(count or 0)

    async def category_totals(self, date_from: date, date_to: date) -> list[CategoryTotal]:
        """What went into each category between two days (both included), per currency; the
        uncategorised lines as category None. Whole months come from the totals; the days of
        the first and last month outside the period are read and taken off again."""
        first, after = month_of(date_from), next_month(month_of(date_to))
        categories: dict[tuple[int, str], int] = defaultdict(int)
        accounts: dict[str, int] = defaultdict(int)
        months = (
            select(CategoryMonth.category_id, CategoryMonth.currency, CategoryMonth.posted_minor)
            .where(CategoryMonth.month >= first, CategoryMonth.month < after)
            .where(CategoryMonth.category_id.in_(self._categories()))
        )
        for category_id, currency, minor in await self.session.execute(months):
            categories[(category_id, currency)] += minor
        account_months = (
            select(Account.currency, func.sum(AccountMonth.posted_minor))
            .join(Account, Account.id == AccountMonth.account_id)
            .where(Account.owner_id == self.owner_id)
            .where(AccountMonth.month >= first, AccountMonth.month < after)
            .group_by(Account.currency)
        )
        for currency, minor in await self.session.execute(account_months):
            accounts[currency] += int(minor)
        outside = (
            self._dated(first, date_from),
            self._dated(date_to + timedelta(days=1), after),
        )
        for days in outside:
            edge = (
                select(
                    Posting.account_id.is_not(None),
                    Posting.category_id,
                    Posting.currency,
                    func.sum(Posting.amount_minor),
                )
                .select_from(Transaction)
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(days)
                .group_by(Posting.account_id.is_not(None), Posting.category_id, Posting.currency)
            )
            for is_account, line_category, currency, minor in await self.session.execute(edge):
                if is_account:
                    accounts[currency] -= int(minor)
                elif line_category is not None:
                    categories[(line_category, currency)] -= int(minor)
        return _with_uncategorised(categories, accounts)

    def _dated(self, start: date, end: date) -> ColumnElement[bool]:
        """The owner's transactions from `start` up to, not including, `end`."""
        return and_(
            Transaction.owner_id == self.owner_id,
            Transaction.date >= start,
            Transaction.date < end,
        )

    def _accounts(self) -> Select[int]:
        return select(Account.id).where(Account.owner_id == self.owner_id)

    def _categories(self) -> Select[int]:
        return select(Category.id).where(Category.owner_id == self.owner_id)


def _with_uncategorised(
    categories: dict[tuple[int, str], int], accounts: dict[str, int]
) -> list[CategoryTotal]:
    """The categories' figures, and the uncategorised lines: every transaction balances, so in
    each currency they are what the accounts and the categories leave over."""
    leftover: dict[str, int] = defaultdict(int)
    for currency, minor in accounts.items():
        leftover[currency] -= minor
    for (_category, currency), minor in categories.items():
        leftover[currency] -= minor
    totals = [
        CategoryTotal(category_id, currency, minor)
        for (category_id, currency), minor in sorted(categories.items())
    ]
    totals += [CategoryTotal(None, c, minor) for c, minor in sorted(leftover.items()) if minor]
    return totals
