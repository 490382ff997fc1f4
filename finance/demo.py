"""A year of believable, reproducible demo data (`finance demo`).

Everything is fixed: the year is 2026 and the amounts come from a random generator with a fixed
seed, so two runs give the same ledger. The data goes in through the services, so it obeys every
rule the API enforces: four accounts, a two-level category tree, a monthly salary, rent, bills,
weekly groceries, card purchases paid off each month, cash from the ATM, monthly savings with
interest, a refund, and split purchases. As everywhere in the ledger, a credit card's balance is
negative while money is owed on it: the card opens owing 412.37, so at -412.37.

The accounts and categories it adds are marked `demo`, and `remove_demo` takes them out again
with every transaction that uses only them. A transaction of the person's own that mixes demo
and own accounts or categories stops the removal until it is changed: the demo data goes, the
person's own stays whole.
"""

import asyncio
import random
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, Select, case, delete, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from finance import migrate
from finance.accounts import service as account_service
from finance.accounts.schemas import AccountCreate
from finance.auth import service as auth_service
from finance.categories import service as category_service
from finance.categories.schemas import CategoryCreate
from finance.db import Database, create_engine
from finance.errors import Conflict
from finance.ledger.journal import Journal
from finance.ledger.models import (
    Account,
    AccountType,
    Category,
    CategoryKind,
    Posting,
    Transaction,
    TransactionStatus,
)
from finance.money import format_minor
from finance.transactions import service as transaction_service
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitLine,
    SplitTransactionCreate,
    TransactionCreate,
    TransferCreate,
)
from finance.users.models import User
from finance.users.repository import UserRepository

YEAR = 2026
FIRST_DAY = date(YEAR, 1, 1)
LAST_DAY = date(YEAR, 12, 31)
SEED = 20260101
CURRENCY = "USD"
RECONCILED_THROUGH = date(YEAR, 10, 31)
CLEARED_THROUGH = date(YEAR, 12, 15)

CHECKING, SAVINGS, CARD, WALLET = "Checking", "Savings", "Visa card", "Wallet"
ACCOUNTS = (
    AccountCreate(
        name=CHECKING,
        type=AccountType.CHECKING,
        currency=CURRENCY,
        opening_balance="4850.00",
        opening_date=FIRST_DAY,
        note="Salary comes in here; rent and bills go out.",
    ),
    AccountCreate(
        name=SAVINGS,
        type=AccountType.SAVINGS,
        currency=CURRENCY,
        opening_balance="8000.00",
        opening_date=FIRST_DAY,
        note="3.75% a year, paid monthly.",
    ),
    AccountCreate(
        name=CARD,
        type=AccountType.CREDIT_CARD,
        currency=CURRENCY,
        opening_balance="-412.37",
        opening_date=FIRST_DAY,
        note="Paid in full from checking on the 5th.",
    ),
    AccountCreate(
        name=WALLET,
        type=AccountType.CASH,
        currency=CURRENCY,
        opening_balance="60.00",
        opening_date=FIRST_DAY,
    ),
)

CATEGORY_TREE: tuple[tuple[str, CategoryKind, tuple[str, ...]], ...] = (
    ("Income", CategoryKind.INCOME, ("Salary", "Interest")),
    ("Housing", CategoryKind.EXPENSE, ("Rent", "Repairs")),
    ("Food", CategoryKind.EXPENSE, ("Groceries", "Restaurants", "Coffee")),
    ("Transport", CategoryKind.EXPENSE, ("Fuel", "Public transit")),
    ("Utilities", CategoryKind.EXPENSE, ("Electricity", "Internet", "Phone")),
    ("Fun", CategoryKind.EXPENSE, ("Streaming", "Outings")),
    ("Shopping", CategoryKind.EXPENSE, ("Clothing", "Household")),
    ("Health", CategoryKind.EXPENSE, ("Pharmacy",)),
    ("Gifts", CategoryKind.EXPENSE, ()),
)
"""Top-level categories with their children; every name is unique across the tree."""

GROCERS = ("Whole Foods", "Trader Joe's", "Safeway")
RESTAURANTS = ("Luigi's Trattoria", "Pho 88", "Burger Barn", "Sakura Sushi", "Taqueria El Sol")
OUTINGS = ("AMC Theatres", "City Museum", "Lucky Strike Bowling", "Jazz at the Blue Note")
ELECTRICITY_BY_MONTH = (128, 121, 96, 78, 70, 92, 131, 137, 99, 74, 88, 119)
"""Typical electricity bill per month in dollars: heating in winter, cooling in summer."""


class DemoRefused(Exception):
    """The database already holds data; demo data goes only into an empty one without force."""


@dataclass(frozen=True)
class AccountSummary:
    """An account of the demo ledger and its balance at the end of the year."""

    name: str
    currency: str
    balance: str


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` wrote."""

    email: str
    categories: int
    transactions: int
    first_date: date
    last_date: date
    accounts: list[AccountSummary]


SHOWN_IN_THE_WAY = 20


@dataclass(frozen=True)
class DemoData:
    """What removing the demo data would delete, and what of the person's own stands in the
    way: their transactions that mix demo and own accounts or categories (up to
    `SHOWN_IN_THE_WAY` of them, by date, and how many in all), and their categories under a
    demo one."""

    accounts: int
    categories: int
    transaction_ids: list[int]
    mixed: list[Transaction]
    mixed_count: int
    own_children: list[str]

    @property
    def present(self) -> bool:
        """True while the ledger holds any demo account or category."""
        return bool(self.accounts or self.categories)

    @property
    def in_the_way(self) -> bool:
        """True while something of the person's own would break if the demo data went."""
        return bool(self.mixed_count or self.own_children)


DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-finance-2026"
"""The demo login (the README states it): for a demo database only."""


def create_demo_database(
    database_url: str,
    *,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    force: bool = False,
) -> DemoSummary:
    """Migrate the database, fill it with the demo year for `email` (created with `password` if
    new), and (SQLite) compact it.

    `DemoRefused` if it already has transactions, or the user has accounts or categories, unless
    `force`: then that user's accounts, categories and transactions are replaced."""
    migrate.upgrade(database_url)
    summary = asyncio.run(_fill(database_url, email=email, password=password, force=force))
    compact_sqlite(database_url)
    return summary


async def _fill(database_url: str, *, email: str, password: str, force: bool) -> DemoSummary:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with Database(engine).session() as db:
            owner = await UserRepository(db).get_by_email(email)
            if owner is None:
                owner = await auth_service.create_user(db=db, email=email, password=password)
            return await load_demo(db, owner=owner, force=force)
    finally:
        await engine.dispose()


async def load_demo(db: AsyncSession, *, owner: User, force: bool = False) -> DemoSummary:
    """Write the demo year for `owner` through the services."""
    await _make_room(db, owner.id, force=force)
    accounts: dict[str, int] = {}
    for account in ACCOUNTS:
        created = await account_service.create_account(db=db, owner_id=owner.id, data=account)
        accounts[account.name] = created.account.id
    categories = await _create_categories(db, owner.id)
    await _mark_as_demo(db, owner.id, list(accounts.values()), list(categories.values()))
    transactions = demo_transactions(accounts, categories)
    await transaction_service.create_transactions(db=db, owner_id=owner.id, data=transactions)
    balances = await account_service.list_accounts(db=db, owner_id=owner.id)
    return DemoSummary(
        email=owner.email,
        categories=len(categories),
        transactions=len(transactions),
        first_date=min(transaction.date for transaction in transactions),
        last_date=max(transaction.date for transaction in transactions),
        accounts=[
            AccountSummary(
                item.account.name,
                item.account.currency,
                format_minor(item.projected_minor, item.account.currency),
            )
            for item in balances
        ],
    )


async def find_demo_data(db: AsyncSession, *, owner_id: int) -> DemoData:
    """The owner's demo accounts, categories and transactions, and what of theirs is in the way."""
    demo_accounts = _demo_ids(Account, owner_id)
    demo_categories = _demo_ids(Category, owner_id)
    demo_leg = Posting.account_id.in_(demo_accounts) | Posting.category_id.in_(demo_categories)
    demo_only, mixed = await _transactions_touching(db, owner_id, demo_leg)
    shown = await db.scalars(
        select(Transaction)
        .where(Transaction.id.in_(mixed[:SHOWN_IN_THE_WAY]))
        .order_by(Transaction.date, Transaction.id)
    )
    own_children = await db.scalars(
        select(Category.name)
        .where(Category.parent_id.in_(demo_categories), Category.owner_id == owner_id)
        .where(Category.demo.is_(False))
        .order_by(Category.name_key)
    )
    return DemoData(
        accounts=await _count_demo(db, Account, owner_id),
        categories=await _count_demo(db, Category, owner_id),
        transaction_ids=demo_only,
        mixed=list(shown),
        mixed_count=len(mixed),
        own_children=list(own_children),
    )


async def remove_demo(db: AsyncSession, *, owner_id: int) -> DemoData:
    """Delete the demo transactions (through the journal, so every total follows), then the
    demo accounts and categories, in one database transaction, and say what went.

    `Conflict`, deleting nothing, while the person's own data uses any of it."""
    found = await find_demo_data(db, owner_id=owner_id)
    if found.in_the_way:
        raise Conflict(
            f"{found.mixed_count} of your own transactions and {len(found.own_children)} of "
            "your categories use the demo data; change them first"
        )
    await Journal(db, owner_id).delete_many(found.transaction_ids)
    demo_categories = (Category.owner_id == owner_id) & Category.demo.is_(True)
    await db.execute(delete(Category).where(demo_categories, Category.parent_id.is_not(None)))
    await db.execute(delete(Category).where(demo_categories))
    await db.execute(delete(Account).where(Account.owner_id == owner_id, Account.demo.is_(True)))
    await db.commit()
    return found


def demo_transactions(
    accounts: Mapping[str, int], categories: Mapping[str, int]
) -> list[TransactionCreate]:
    """The demo year in date order, given the ids of the accounts and categories by name."""
    return _Year(accounts, categories).build()


def compact_sqlite(database_url: str) -> None:
    """Fold the write-ahead log into a SQLite file and shrink it, leaving one complete file.

    Does nothing for other databases or in-memory SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if url.query.get("uri"):
        return
    with closing(sqlite3.connect(Path(url.database), isolation_level=None)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")


async def _make_room(db: AsyncSession, owner_id: int, *, force: bool) -> None:
    """Refuse a database in use, or with `force` clear the owner's ledger."""
    transactions = await db.scalar(select(func.count(Transaction.id))) or 0
    accounts = await db.scalar(select(func.count(Account.id)).where(Account.owner_id == owner_id))
    categories = await db.scalar(
        select(func.count(Category.id)).where(Category.owner_id == owner_id)
    )
    if not (transactions or accounts or categories):
        return
    if not force:
        raise DemoRefused(
            f"the database is not empty ({transactions} transactions; the demo user has "
            f"{accounts} accounts and {categories} categories); pass --force to replace "
            "the demo user's data"
        )
    await Journal(db, owner_id).delete_all()
    children = (Category.owner_id == owner_id) & Category.parent_id.is_not(None)
    await db.execute(delete(Category).where(children))
    await db.execute(delete(Category).where(Category.owner_id == owner_id))
    await db.execute(delete(Account).where(Account.owner_id == owner_id))
    await db.commit()


async def _mark_as_demo(
    db: AsyncSession, owner_id: int, account_ids: list[int], category_ids: list[int]
) -> None:
    """Mark what `load_demo` created, so `remove_demo` finds it."""
    for model, ids in ((Account, account_ids), (Category, category_ids)):
        await db.execute(
            update(model).where(model.owner_id == owner_id, model.id.in_(ids)).values(demo=True)
        )
    await db.commit()


def _demo_ids(model: type[Account | Category], owner_id: int) -> Select[int]:
    return select(model.id).where(model.owner_id == owner_id, model.demo.is_(True))


async def _count_demo(db: AsyncSession, model: type[Account | Category], owner_id: int) -> int:
    return (
        await db.scalar(select(func.count()).select_from(_demo_ids(model, owner_id).subquery()))
        or 0
    )


async def _transactions_touching(
    db: AsyncSession, owner_id: int, demo_leg: ColumnElement[bool]
) -> tuple[list[int], list[int]]:
    """The owner's transactions with a leg in demo data: those with every leg there, and those
    with another leg in an own account or category (or uncategorised)."""
    is_demo = case((demo_leg, 1), else_=0)
    rows = await db.execute(
        select(Posting.transaction_id, func.min(is_demo))
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .where(Transaction.owner_id == owner_id)
        .group_by(Posting.transaction_id)
        .having(func.max(is_demo) == 1)
        .order_by(Posting.transaction_id)
    )
    demo_only: list[int] = []
    mixed: list[int] = []
    for transaction_id, all_demo in rows:
        (demo_only if all_demo else mixed).append(transaction_id)
    return demo_only, mixed


async def _create_categories(db: AsyncSession, owner_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    for parent_name, kind, children in CATEGORY_TREE:
        parent = await category_service.create_category(
            db=db, owner_id=owner_id, data=CategoryCreate(name=parent_name, kind=kind)
        )
        ids[parent_name] = parent.id
        for name in children:
            child = await category_service.create_category(
                db=db, owner_id=owner_id, data=CategoryCreate(name=name, parent_id=parent.id)
            )
            ids[name] = child.id
    return ids


def _status(day: date) -> TransactionStatus:
    """Old transactions are reconciled, recent ones cleared, the last fortnight's pending."""
    if day <= RECONCILED_THROUGH:
        return TransactionStatus.RECONCILED
    if day <= CLEARED_THROUGH:
        return TransactionStatus.CLEARED
    return TransactionStatus.UNCLEARED


def _usd(cents: int) -> str:
    return format_minor(cents, CURRENCY)


def _last_day(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _last_weekday(year: int, month: int) -> date:
    day = _last_day(year, month)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class _Year:
    """Builds the year's transactions, keeping what the card owes each month and what the
    savings account holds, so card payments and interest come out right."""

    def __init__(self, accounts: Mapping[str, int], categories: Mapping[str, int]) -> None:
        self.accounts = accounts
        self.categories = categories
        self.random = random.Random(SEED)
        self.items: list[tuple[date, int, TransactionCreate]] = []
        self.card_charges: dict[int, int] = defaultdict(int)
        self.savings_cents = 800_000

    def build(self) -> list[TransactionCreate]:
        """Every transaction of the year, sorted by date (ties in the order they were made)."""
        self._weekly()
        self._one_offs()
        for month in range(1, 13):  # after the card purchases above: payments pay them off
            self._month(month)
        self.items.sort(key=lambda item: (item[0], item[1]))
        return [transaction for _day, _order, transaction in self.items]

    def _cents(self, low: int, high: int) -> int:
        """A random amount between `low` and `high` dollars, in cents."""
        return self.random.randint(low * 100, high * 100)

    def _add(self, transaction: TransactionCreate) -> None:
        self.items.append((transaction.date, len(self.items), transaction))

    def spend(
        self, day: date, account: str, cents: int, payee: str, category: str, memo: str = ""
    ) -> None:
        """Money out of `account` (a negative `cents` is money back)."""
        if account == CARD:
            self.card_charges[day.month] += cents
        self._add(
            SimpleTransactionCreate(
                date=day,
                account_id=self.accounts[account],
                amount=_usd(-cents),
                payee=payee,
                memo=memo,
                category_id=self.categories[category],
                status=_status(day),
            )
        )

    def earn(self, day: date, account: str, cents: int, payee: str, category: str) -> None:
        """Money into `account`."""
        self._add(
            SimpleTransactionCreate(
                date=day,
                account_id=self.accounts[account],
                amount=_usd(cents),
                payee=payee,
                category_id=self.categories[category],
                status=_status(day),
            )
        )

    def transfer(self, day: date, source: str, target: str, cents: int, payee: str) -> None:
        """Money from one account to another."""
        self._add(
            TransferCreate(
                date=day,
                from_account_id=self.accounts[source],
                to_account_id=self.accounts[target],
                amount=_usd(cents),
                payee=payee,
                status=_status(day),
            )
        )

    def split(self, day: date, account: str, payee: str, lines: list[tuple[str, int, str]]) -> None:
        """One payment over several categories: (category, cents spent, memo) per line."""
        if account == CARD:
            self.card_charges[day.month] += sum(cents for _category, cents, _memo in lines)
        self._add(
            SplitTransactionCreate(
                date=day,
                account_id=self.accounts[account],
                payee=payee,
                splits=[
                    SplitLine(category_id=self.categories[category], amount=_usd(-cents), memo=memo)
                    for category, cents, memo in lines
                ],
                status=_status(day),
            )
        )

    def _month(self, month: int) -> None:
        """The fixed rhythm of a month: bills, salary, card payment, savings, small spending."""

        def on(day: int) -> date:
            return date(YEAR, month, day)

        self.spend(on(1), CHECKING, 165_000, "Parkview Apartments", "Rent", f"Rent {on(1):%B}")
        self.spend(on(1), CARD, 8_600, "Metro Transit", "Public transit", "Monthly pass")
        self.transfer(on(3), CHECKING, WALLET, 14_000, "ATM withdrawal")
        owed = 41_237 if month == 1 else self.card_charges[month - 1]
        self.transfer(on(5), CHECKING, CARD, owed, "Visa card payment")
        self.spend(on(8), CARD, 6_499, "Comcast", "Internet")
        self.spend(on(9), CARD, self._cents(38, 62), "Shell", "Fuel")
        electricity = ELECTRICITY_BY_MONTH[month - 1] * 100 + self.random.randint(0, 99)
        self.spend(on(12), CHECKING, electricity, "City Power & Light", "Electricity")
        self.spend(on(14), CARD, 1_549, "Netflix", "Streaming")
        self.spend(on(18), CARD, 4_500, "Mint Mobile", "Phone")
        self.spend(on(21), CARD, 1_199, "Spotify", "Streaming")
        self.spend(on(23), CARD, self._cents(38, 62), "Shell", "Fuel")
        self._target_run(on(self.random.randint(10, 20)))
        for _ in range(self.random.randint(4, 6)):
            day = on(self.random.randint(1, 28))
            self.spend(
                day, CARD, self._cents(18, 95), self.random.choice(RESTAURANTS), "Restaurants"
            )
        for _ in range(self.random.randint(1, 2)):
            day = on(self.random.randint(1, 28))
            self.spend(day, CARD, self._cents(20, 80), self.random.choice(OUTINGS), "Outings")
        for _ in range(self.random.randint(2, 4)):
            day = on(self.random.randint(1, 28))
            self.spend(day, WALLET, self.random.randint(450, 725), "Blue Bottle Coffee", "Coffee")
        if month % 2 == 0:
            self.spend(on(16), CARD, self._cents(8, 40), "CVS Pharmacy", "Pharmacy")
        if month % 3 == 0:
            self._costco_run(on(self.random.randint(6, 27)))
        payday = _last_weekday(YEAR, month)
        self.earn(payday, CHECKING, 520_000, "Acme Corp", "Salary")
        self.transfer(payday, CHECKING, SAVINGS, 150_000, "Transfer to savings")
        self.savings_cents += 150_000
        interest = self.savings_cents * 375 // 120_000
        self.earn(_last_day(YEAR, month), SAVINGS, interest, "Interest", "Interest")
        self.savings_cents += interest

    def _target_run(self, day: date) -> None:
        lines = [("Household", self._cents(15, 60), "Cleaning supplies")]
        if self.random.random() < 0.5:
            lines.append(("Clothing", self._cents(20, 80), "T-shirts"))
        lines.append(("Groceries", self._cents(10, 40), "Snacks"))
        self.split(day, CARD, "Target", lines)

    def _costco_run(self, day: date) -> None:
        self.split(
            day,
            CHECKING,
            "Costco",
            [
                ("Groceries", self._cents(90, 180), "Bulk food"),
                ("Household", self._cents(30, 70), "Paper towels, detergent"),
                ("Pharmacy", self._cents(10, 30), "Vitamins"),
            ],
        )

    def _weekly(self) -> None:
        """Groceries every Saturday (every fourth week by debit card) and the farmers market
        every Sunday, paid in cash."""
        saturday = FIRST_DAY + timedelta(days=(5 - FIRST_DAY.weekday()) % 7)
        week = 0
        while saturday <= LAST_DAY:
            account = CHECKING if week % 4 == 3 else CARD
            grocer = self.random.choice(GROCERS)
            self.spend(saturday, account, self._cents(55, 165), grocer, "Groceries")
            sunday = saturday + timedelta(days=1)
            if sunday <= LAST_DAY:
                cash = self.random.randint(12, 35) * 100
                self.spend(sunday, WALLET, cash, "Farmers market", "Groceries")
            saturday += timedelta(days=7)
            week += 1

    def _one_offs(self) -> None:
        """The things that happen once a year."""
        self.spend(date(YEAR, 3, 7), CARD, 12_999, "REI", "Clothing", "Rain jacket")
        self.spend(date(YEAR, 3, 19), CARD, -12_999, "REI", "Clothing", "Returned rain jacket")
        self.spend(date(YEAR, 5, 11), CARD, 6_450, "Etsy", "Gifts", "Mum's birthday")
        self.spend(date(YEAR, 8, 22), CHECKING, 8_745, "Ace Hardware", "Repairs", "Leaky tap")
        self.split(
            date(YEAR, 12, 12),
            CARD,
            "Macy's",
            [
                ("Gifts", self._cents(120, 220), "Holiday presents"),
                ("Clothing", self._cents(40, 90), "Winter scarf"),
            ],
        )
