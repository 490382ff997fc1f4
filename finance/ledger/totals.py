"""Keeping the totals: how postings that come and go move each total (`TotalsChange`), written
in one statement per table, an upsert that adds, so that concurrent writers never lose each
other's sums; and every total recomputed from the postings, for `finance db check`."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from finance.db import Base
from finance.ledger.entries import Entry
from finance.ledger.models import (
    AccountMonth,
    AccountTotal,
    CategoryMonth,
    Posting,
    Transaction,
    TransactionStatus,
)


def month_of(day: date) -> date:
    """The month a day is in, as its first day (how the totals tables store months)."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the following month."""
    return (month + timedelta(days=32)).replace(day=1)


@dataclass(slots=True)
class Sums:
    """One total: an amount, its cleared part (accounts only), and how many postings."""

    posted: int = 0
    cleared: int = 0
    postings: int = 0

    def __bool__(self) -> bool:
        return bool(self.posted or self.cleared or self.postings)


AccountKey = int
AccountMonthKey = tuple[int, date]
CategoryMonthKey = tuple[int, date, str]


class TotalsChange:
    """What a write does to the totals: each posting it adds counts once, each it removes
    (`sign` -1) counts against. Built in memory, then `apply` writes it."""

    def __init__(self) -> None:
        self.accounts: defaultdict[AccountKey, Sums] = defaultdict(Sums)
        self.account_months: defaultdict[AccountMonthKey, Sums] = defaultdict(Sums)
        self.category_months: defaultdict[CategoryMonthKey, Sums] = defaultdict(Sums)

    def add(
        self,
        *,
        account_id: int | None,
        category_id: int | None,
        currency: str,
        amount_minor: int,
        day: date,
        cleared: bool,
        sign: int = 1,
        postings: int = 1,
    ) -> None:
        """Count one posting (or `postings` of them summing to `amount_minor`) dated `day`."""
        self._count(
            account_id,
            category_id,
            currency,
            month_of(day),
            sign * amount_minor,
            cleared,
            sign * postings,
        )

    def add_transaction(self, transaction: Transaction, sign: int = 1) -> None:
        """Count every posting of a stored transaction, as it stands now."""
        month, cleared = month_of(transaction.date), transaction.status.is_cleared
        for p in transaction.postings:
            self._count(
                p.account_id, p.category_id, p.currency, month, sign * p.amount_minor, cleared, sign
            )

    def add_entry(self, entry: Entry) -> None:
        """Count every leg of an entry about to be written."""
        month, cleared = month_of(entry.date), entry.status.is_cleared
        for leg in entry.legs:
            self._count(
                leg.account_id, leg.category_id, leg.currency, month, leg.amount_minor, cleared, 1
            )

    def _count(
        self,
        account_id: int | None,
        category_id: int | None,
        currency: str,
        month: date,
        amount: int,
        cleared: bool,
        postings: int,
    ) -> None:
        """Count `amount` in `postings` postings (both signed) in a month. (Positional, and
        called once a leg: an import counts hundreds of thousands.)"""
        if account_id is not None:
            for sums in (self.accounts[account_id], self.account_months[(account_id, month)]):
                sums.posted += amount
                sums.cleared += amount if cleared else 0
                sums.postings += postings
        elif category_id is not None:
            sums = self.category_months[(category_id, month, currency)]
            sums.posted += amount
            sums.postings += postings

    async def apply(self, session: AsyncSession) -> None:
        """Add the changes to the stored totals, keys in order (so that two writers take their
        row locks in the same order and never deadlock)."""
        await _add_to(
            session,
            AccountTotal,
            {(key,): sums for key, sums in self.accounts.items()},
            cleared=True,
        )
        await _add_to(session, AccountMonth, dict(self.account_months), cleared=True)
        await _add_to(session, CategoryMonth, dict(self.category_months), cleared=False)


async def _add_to(
    session: AsyncSession,
    model: type[Base],
    changes: Mapping[tuple[Any, ...], Sums],
    *,
    cleared: bool,
) -> None:
    """Add `changes` to the stored totals of `model`'s table, one upsert for every row."""
    table = cast(Table, model.__table__)
    keys = [column.name for column in table.primary_key.columns]
    rows = [
        dict(zip(keys, key, strict=True))
        | {"posted_minor": sums.posted, "postings": sums.postings}
        | ({"cleared_minor": sums.cleared} if cleared else {})
        for key, sums in sorted(changes.items())
        if sums
    ]
    if rows:
        await session.execute(_upsert(table, session.get_bind().dialect.name, cleared), rows)


@cache
def _upsert(table: Table, dialect_name: str, cleared: bool) -> Insert:
    """`INSERT ... ON CONFLICT (key) DO UPDATE SET total = total + excluded.total`, built once
    (building it is a good part of a small write's time)."""
    amounts = ["posted_minor", "postings", *(["cleared_minor"] if cleared else [])]
    statement = (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: table.c[name] + statement.excluded[name] for name in amounts},
    )
    return upsert


async def count_postings(
    session: AsyncSession,
    change: TotalsChange,
    where: ColumnElement[bool] | None = None,
    *,
    sign: int = 1,
    category_id: int | None = None,
) -> None:
    """Count the postings `where` selects (every one, if None) into `change`, as lines of
    `category_id` if it is given. The postings are summed per day in SQL (the same query on
    every database) and folded into months here."""
    cleared = Transaction.status != TransactionStatus.UNCLEARED
    query = (
        select(
            Posting.account_id,
            Posting.category_id,
            Posting.currency,
            Transaction.date,
            cleared,
            func.sum(Posting.amount_minor),
            func.count(),
        )
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .group_by(Posting.account_id, Posting.category_id, Posting.currency, Transaction.date)
        .group_by(cleared)
    )
    if where is not None:
        query = query.where(where)
    for account, category, currency, day, is_cleared, amount, count in await session.execute(query):
        change.add(
            account_id=account,
            category_id=category if category_id is None else category_id,
            currency=currency,
            amount_minor=int(amount),
            day=day,
            cleared=bool(is_cleared),
            sign=sign,
            postings=int(count),
        )


async def recomputed(session: AsyncSession) -> TotalsChange:
    """Every total of every owner as the postings say it should be."""
    totals = TotalsChange()
    await count_postings(session, totals)
    return totals


async def stored(session: AsyncSession) -> TotalsChange:
    """Every total as the totals tables hold it."""
    totals = TotalsChange()
    for row in (await session.scalars(select(AccountTotal))).all():
        totals.accounts[row.account_id] = Sums(row.posted_minor, row.cleared_minor, row.postings)
    for month in (await session.scalars(select(AccountMonth))).all():
        totals.account_months[(month.account_id, month.month)] = Sums(
            month.posted_minor, month.cleared_minor, month.postings
        )
    for line in (await session.scalars(select(CategoryMonth))).all():
        totals.category_months[(line.category_id, line.month, line.currency)] = Sums(
            line.posted_minor, 0, line.postings
        )
    return totals


@dataclass(frozen=True)
class TotalMismatch:
    """A stored total that is not the sum of its postings."""

    total: str
    """Which total: `account 3`, `account 3, 2026-10`, `category 7, 2026-10, USD`."""
    stored: Sums
    expected: Sums


def mismatches(stored_totals: TotalsChange, expected: TotalsChange) -> list[TotalMismatch]:
    """Where the stored totals differ from the recomputed ones (a missing row counts as zero)."""
    found: list[TotalMismatch] = []
    tables: Iterable[tuple[str, Mapping[Any, Sums], Mapping[Any, Sums]]] = (
        ("account", stored_totals.accounts, expected.accounts),
        ("account", stored_totals.account_months, expected.account_months),
        ("category", stored_totals.category_months, expected.category_months),
    )
    for what, have, want in tables:
        for key in sorted(set(have) | set(want)):
            kept, summed = have.get(key, Sums()), want.get(key, Sums())
            if kept != summed:
                found.append(TotalMismatch(f"{what} {_name(key)}", kept, summed))
    return found


def _name(key: object) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return ", ".join(
        part.strftime("%Y-%m") if isinstance(part, date) else str(part) for part in parts
    )
