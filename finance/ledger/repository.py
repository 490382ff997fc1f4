"""Reads of one owner's ledger answered from the maintained totals: balances (now, at the end of
a day, after a given transaction), what is dated after a day, what went into each category over
a period, and whether an account or category is in use. None of them sums an account's whole
history: a period is read as whole months from the totals, and where it starts or ends inside a
month, at most half that month's days from the postings, through the transactions'
`(owner_id, date, id)` index. Never writes."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from finance.ledger.models import (
    Account,
    AccountMonth,
    AccountTotal,
    Category,
    CategoryMonth,
    Posting,
    Transaction,
    TransactionStatus,
    category_line,
)
from finance.ledger.totals import month_of, next_month
from finance.pagination import Position

CLEARED = Transaction.status != TransactionStatus.UNCLEARED


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


Days = tuple[date, date]
"""A run of days: the first, and the day after the last."""
SHORT_PERIOD_DAYS = 31
"""A period this short that is not whole months is read from its postings alone: a split would
read about as many rows, in several queries."""


@dataclass(frozen=True)
class Parts:
    """A period, read as whole months from the totals (`months`: the first, None for the
    beginning, and the one after the last; None for no whole month), and runs of days read from
    the postings and added (`plus`) or taken off again (`minus`): where a long period starts or
    ends inside a month, that month is read by whichever is fewer days, its days inside the
    period or (from its total) the ones outside."""

    months: tuple[date | None, date] | None = None
    plus: tuple[Days, ...] = ()
    minus: tuple[Days, ...] = ()

    def month_range(self, month: InstrumentedAttribute[date]) -> ColumnElement[bool]:
        """The whole months, on a totals table's `month` column."""
        assert self.months is not None
        first, after = self.months
        return month < after if first is None else and_(month >= first, month < after)

    def days(self) -> list[tuple[Days, int]]:
        """The runs of days to read, each with its sign."""
        return [(days, 1) for days in self.plus] + [(days, -1) for days in self.minus]


def parts_of(date_from: date | None, date_to: date) -> Parts:
    """The parts of the period from `date_from` (None: the beginning) to `date_to`, both
    included."""
    end, last = date_to + timedelta(days=1), month_of(date_to)
    first = None if date_from is None else month_of(date_from)
    first_month, after_months = first, next_month(last)
    plus: list[Days] = []
    minus: list[Days] = []
    for month in [last] if first is None else [first, last]:
        inside = (max(month, date_from or month), min(end, next_month(month)))
        inside_days = (inside[1] - inside[0]).days
        outside_days = (next_month(month) - month).days - inside_days
        if outside_days == 0:
            continue
        if inside_days <= outside_days:  # read the inside, leave the month's total out
            plus.append(inside)
            if month == last:
                after_months = last
            if month == first:
                first_month = next_month(month)
        else:  # take the month's total, less the days outside
            around = ((month, inside[0]), (inside[1], next_month(month)))
            minus += [days for days in around if days[0] < days[1]]
    short = date_from is not None and (end - date_from).days <= SHORT_PERIOD_DAYS
    if (plus or minus) and short and date_from is not None:
        return Parts(plus=((date_from, end),))  # days to read anyway: read them all, at once
    whole = first_month is None or first_month < after_months
    months = (first_month, after_months) if whole else None
    return Parts(months, tuple(plus), tuple(minus))


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
        """The account's postings up to and including `day`."""
        parts, total, cleared = parts_of(None, day), 0, 0
        if parts.months is not None:
            months = await self.session.execute(
                select(
                    func.coalesce(func.sum(AccountMonth.posted_minor), 0),
                    func.coalesce(func.sum(AccountMonth.cleared_minor), 0),
                ).where(
                    AccountMonth.account_id == account_id,
                    AccountMonth.account_id.in_(self._accounts()),
                    parts.month_range(AccountMonth.month),
                )
            )
            total, cleared = (int(minor) for minor in months.one())
        for days, sign in parts.days():
            edge = await self.session.execute(
                select(
                    func.coalesce(func.sum(Posting.amount_minor), 0),
                    func.coalesce(func.sum(case((CLEARED, Posting.amount_minor), else_=0)), 0),
                )
                .select_from(Transaction)
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(self._dated(*days), Posting.account_id == account_id)
            )
            edge_total, edge_cleared = edge.one()
            total, cleared = total + sign * int(edge_total), cleared + sign * int(edge_cleared)
        return PostedTotals(total, cleared)

    async def posted_after(self, account_ids: Sequence[int], day: date) -> dict[int, int]:
        """Each account's postings dated after `day` (the future, seen from today), summed: the
        later months from the totals, the rest of `day`'s month from its postings."""
        month_after = next_month(month_of(day))
        later_months = (
            select(AccountMonth.account_id, func.sum(AccountMonth.posted_minor))
            .where(
                AccountMonth.account_id.in_(account_ids),
                AccountMonth.account_id.in_(self._accounts()),
                AccountMonth.month >= month_after,
            )
            .group_by(AccountMonth.account_id)
        )
        rest_of_month = (
            select(Posting.account_id, func.sum(Posting.amount_minor))
            .select_from(Transaction)
            .join(Posting, Posting.transaction_id == Transaction.id)
            .where(
                self._dated(day + timedelta(days=1), month_after),
                Posting.account_id.in_(account_ids),
            )
            .group_by(Posting.account_id)
        )
        future: dict[int, int] = defaultdict(int)
        for query in (later_months, rest_of_month):
            for account_id, minor in await self.session.execute(query):
                future[cast(int, account_id)] += int(minor)
        return dict(future)

    async def posted_through(self, account_id: int, position: Position) -> int:
        """The account's postings up to and including the transaction at `position`, in the
        register's (date, id) order: up to the day before it, and that day's up to it."""
        before = await self.posted_as_of(account_id, position.date - timedelta(days=1))
        that_day = await self.session.scalar(
            select(func.coalesce(func.sum(Posting.amount_minor), 0))
            .select_from(Transaction)
            .join(Posting, Posting.transaction_id == Transaction.id)
            .where(
                self._dated(position.date, position.date + timedelta(days=1)),
                Transaction.id <= position.id,
                Posting.account_id == account_id,
            )
        )
        return before.total + int(that_day or 0)

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
        uncategorised lines as category None."""
        parts = parts_of(date_from, date_to)
        figures: dict[tuple[int | None, str], int] = defaultdict(int)
        if parts.months is not None:
            await self._whole_months(parts, figures)
        for days, sign in parts.days():
            lines = (
                select(Posting.category_id, Posting.currency, func.sum(Posting.amount_minor))
                .select_from(Transaction)
                .join(Posting, Posting.transaction_id == Transaction.id)
                .where(self._dated(*days), category_line())
                .group_by(Posting.category_id, Posting.currency)
            )
            for category_id, currency, minor in await self.session.execute(lines):
                figures[(category_id, currency)] += sign * int(minor)
        return [
            CategoryTotal(category_id, currency, minor)
            for (category_id, currency), minor in sorted(figures.items(), key=_by_category)
            if minor or category_id is not None
        ]

    async def _whole_months(self, parts: Parts, figures: dict[tuple[int | None, str], int]) -> None:
        """Add the whole months of the period from the totals: each category's, and the
        uncategorised lines', which have no total of their own. Every transaction balances, so
        in each currency they are what the accounts, the categories and the conversion legs
        (few, found by their own index) leave over."""
        months = (
            select(CategoryMonth.category_id, CategoryMonth.currency, CategoryMonth.posted_minor)
            .where(parts.month_range(CategoryMonth.month))
            .where(CategoryMonth.category_id.in_(self._categories()))
        )
        for category_id, currency, minor in await self.session.execute(months):
            figures[(category_id, currency)] += minor
            figures[(None, currency)] -= minor
        account_months = (
            select(Account.currency, func.sum(AccountMonth.posted_minor))
            .join(Account, Account.id == AccountMonth.account_id)
            .where(Account.owner_id == self.owner_id, parts.month_range(AccountMonth.month))
            .group_by(Account.currency)
        )
        for currency, minor in await self.session.execute(account_months):
            figures[(None, currency)] -= int(minor)
        conversions = (
            select(Posting.currency, func.sum(Posting.amount_minor))
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .where(
                Posting.conversion,
                Transaction.owner_id == self.owner_id,
                parts.month_range(Transaction.date),
            )
            .group_by(Posting.currency)
        )
        for currency, minor in await self.session.execute(conversions):
            figures[(None, currency)] -= int(minor)

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


def _by_category(item: tuple[tuple[int | None, str], int]) -> tuple[bool, int, str]:
    """Categories by id, then the uncategorised lines; each by currency."""
    (category_id, currency), _minor = item
    return category_id is None, category_id or 0, currency
