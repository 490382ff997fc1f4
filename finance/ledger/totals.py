"""Keeping the totals: how postings that come and go move each total (`TotalsChange`), written
in one statement per table, an upsert that adds, so that concurrent writers never lose each
other's sums; and every total recomputed from the postings, for `finance db check`."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Insert, Table, TextClause, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from finance.db import on_postgresql
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
        """Add the changes to the stored totals: each table's keys in order and the tables
        always in the same order, so that two writers take their row locks in the same order
        and never deadlock. On PostgreSQL in one statement: its rows stay locked until the
        commit, and other writers wait for them through every round trip in between."""
        by_table: tuple[Mapping[tuple[Any, ...], Sums], ...] = (
            {(key,): sums for key, sums in self.accounts.items()},
            self.account_months,
            self.category_months,
        )
        changes = [
            (table, cleared, _rows(table, cleared, sums))
            for (table, cleared), sums in zip(TOTALS_TABLES, by_table, strict=True)
        ]
        if on_postgresql(session):
            arrays = {
                f"{table.name}_{column}": [row[column] for row in rows]
                for table, cleared, rows in changes
                for column in _columns(table, cleared)
            }
            await session.execute(_postgresql_upserts(), arrays)
            return
        for table, cleared, rows in changes:
            if rows:
                await session.execute(_sqlite_upsert(table, cleared), rows)


TOTALS_TABLES: tuple[tuple[Table, bool], ...] = tuple(
    (cast(Table, model.__table__), cleared)
    for model, cleared in ((AccountTotal, True), (AccountMonth, True), (CategoryMonth, False))
)
"""The totals tables, in the order they are written, each with whether it keeps a cleared
amount."""


def _amounts(cleared: bool) -> list[str]:
    return ["posted_minor", "postings", *(["cleared_minor"] if cleared else [])]


def _columns(table: Table, cleared: bool) -> list[str]:
    return [column.name for column in table.primary_key.columns] + _amounts(cleared)


def _rows(
    table: Table, cleared: bool, changes: Mapping[tuple[Any, ...], Sums]
) -> list[dict[str, Any]]:
    """The rows to add to `table`, in key order; none for a total that does not change."""
    keys = [column.name for column in table.primary_key.columns]
    return [
        dict(zip(keys, key, strict=True))
        | {"posted_minor": sums.posted, "postings": sums.postings}
        | ({"cleared_minor": sums.cleared} if cleared else {})
        for key, sums in sorted(changes.items())
        if sums
    ]


@cache
def _sqlite_upsert(table: Table, cleared: bool) -> Insert:
    """`INSERT ... ON CONFLICT (key) DO UPDATE SET total = total + excluded.total`, built once
    (building it is a good part of a small write's time)."""
    statement = sqlite.insert(table)
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: table.c[name] + statement.excluded[name] for name in _amounts(cleared)},
    )
    return upsert


@cache
def _postgresql_upserts() -> TextClause:
    """The same upserts for every totals table in one statement, each table's rows given as
    one array a column (`unnest`), so the statement is the same whatever the rows. The final
    SELECT reads the tables' results in order, which makes PostgreSQL run them in that order."""
    added, counts = [], []
    for table, cleared in TOTALS_TABLES:
        columns = _columns(table, cleared)
        arrays = ", ".join(
            f"CAST(:{table.name}_{name} AS {table.c[name].type.compile()}[])" for name in columns
        )
        keys = ", ".join(column.name for column in table.primary_key.columns)
        sums = ", ".join(
            f"{name} = {table.name}.{name} + excluded.{name}" for name in _amounts(cleared)
        )
        added.append(
            f"{table.name}_added AS (INSERT INTO {table.name} ({', '.join(columns)}) "
            f"SELECT * FROM unnest({arrays}) ON CONFLICT ({keys}) DO UPDATE SET {sums} "
            "RETURNING 1)"
        )
        counts.append(f"(SELECT count(*) FROM {table.name}_added)")
    return text(f"WITH {', '.join(added)} SELECT {', '.join(counts)}")


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
