"""The maintained totals are always the sums of their postings: a state machine (hypothesis)
drives random sequences of creates (transfers between currencies among them), replacements,
edits, deletes, imports, undos, rules applied and categories replaced, good and bad, and after
every step checks that every transaction balances in each currency, recomputes every total from
the postings, and checks the reads that use the totals (balances as of a day, a period's category
figures) against plain sums of the postings. On SQLite and, when it is set up, PostgreSQL."""

import asyncio
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import StaticPool

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.categories import service as categories
from finance.categories.schemas import CategoryCreate
from finance.db import Database, create_engine
from finance.errors import Conflict, InvalidInput, NotFound
from finance.imports import service as imports
from finance.imports.formats import FileFormat, OpenedFile
from finance.imports.statement import Statement, StatementLine
from finance.ledger.check import unbalanced_transactions
from finance.ledger.models import AccountType, CategoryKind, Posting, Transaction
from finance.ledger.repository import LedgerRepository, PostedTotals
from finance.ledger.totals import mismatches, recomputed, stored
from finance.models import Base
from finance.rules import service as rules
from finance.rules.schemas import RuleCreate
from finance.transactions import service as transactions
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitLine,
    SplitTransactionCreate,
    TransactionCreate,
    TransactionUpdate,
    TransferCreate,
)
from finance.users.models import User
from tests.conftest import empty_postgres

REFUSED = (InvalidInput, Conflict, NotFound)
PAYEES = ("Cafe", "Grocer", "Landlord", "Acme")
days = st.dates(date(2025, 12, 28), date(2026, 12, 31))
"""Mostly 2026; a few before the accounts' opening date, which the ledger refuses."""
amounts = st.integers(-50_000, 50_000).map(lambda cents: str(Decimal(cents).scaleb(-2)))
statuses = st.sampled_from(["uncleared", "cleared", "reconciled"])
SETTINGS = settings(
    max_examples=10,
    stateful_step_count=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
CURRENCIES = (("Checking", "USD"), ("Savings", "USD"), ("Card", "USD"), ("Euros", "EUR"))
"""The accounts: three in USD and one in EUR, which transfers reach through conversion legs."""
PERIODS = (
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 3, 10), date(2026, 5, 20)),
    (date(2026, 3, 25), date(2026, 5, 5)),
    (date(2026, 6, 1), date(2026, 6, 30)),
    (date(2026, 8, 31), date(2026, 9, 1)),
    (date(2026, 10, 3), date(2026, 10, 27)),
)
"""Periods whose category figures are checked: a year; two across three months, one ending far
into its edge months (read as the months less the days outside), one only a few days into them
(read as the month between and those days); one whole month; two short ones."""


class LedgerMachine(RuleBasedStateMachine):
    """One owner's ledger, written through the services as the API and pages do."""

    def __init__(self, runner: asyncio.Runner, *, on_postgresql: bool) -> None:
        super().__init__()
        self.runner = runner
        self.database = runner.run(fresh_database(on_postgresql))
        self.owner_id, self.accounts, self.categories = runner.run(self._open_books())
        self.transactions: list[int] = []
        self.batches: list[int] = []
        self.imported = 0

    def teardown(self) -> None:
        self.runner.run(self.database.engine.dispose())

    async def _open_books(self) -> tuple[int, list[int], dict[int, CategoryKind]]:
        async with self.database.session() as db:
            owner = User(email="owner@example.com")
            db.add(owner)
            await db.commit()
            opened = []
            for name, currency in CURRENCIES:
                data = AccountCreate(
                    name=name,
                    type=AccountType.CHECKING,
                    currency=currency,
                    opening_date=date(2026, 1, 1),
                    opening_balance="100.00",
                )
                opened.append(await accounts.create_account(db=db, owner_id=owner.id, data=data))
            kinds: dict[int, CategoryKind] = {}
            for name, kind in (("Food", CategoryKind.EXPENSE), ("Pay", CategoryKind.INCOME)):
                parent = await categories.create_category(
                    db=db, owner_id=owner.id, data=CategoryCreate(name=name, kind=kind)
                )
                child = await categories.create_category(
                    db=db,
                    owner_id=owner.id,
                    data=CategoryCreate(name=f"{name} 2", parent_id=parent.id),
                )
                kinds |= {parent.id: kind, child.id: kind}
            return owner.id, [row.account.id for row in opened], kinds

    def _write(self, work: Any) -> Any:
        """Run a service call in a session of its own; a refusal changes nothing."""

        async def run() -> Any:
            async with self.database.session() as db:
                try:
                    return await work(db)
                except REFUSED:
                    await db.rollback()
                    return None

        return self.runner.run(run())

    def _category(self, data: st.DataObject) -> int | None:
        return data.draw(st.sampled_from([None, *sorted(self.categories)]))

    def _shape(self, data: st.DataObject) -> TransactionCreate:
        header: dict[str, Any] = {
            "date": data.draw(days),
            "payee": data.draw(st.sampled_from(PAYEES)),
            "status": data.draw(statuses),
        }
        account = data.draw(st.sampled_from(self.accounts))
        shape = data.draw(st.sampled_from(["simple", "transfer", "split"]))
        if shape == "transfer":
            target = data.draw(st.sampled_from(self.accounts))
            amount = data.draw(amounts.filter(lambda a: not a.startswith("-")))
            received = data.draw(st.sampled_from([None, amount]) | amounts)
            return TransferCreate(
                **header,
                from_account_id=account,
                to_account_id=target,
                amount=amount,
                received_amount=received,
            )
        if shape == "split":
            lines = [
                SplitLine(category_id=self._category(data), amount=data.draw(amounts))
                for _ in range(data.draw(st.integers(2, 4)))
            ]
            return SplitTransactionCreate(**header, account_id=account, splits=lines)
        return SimpleTransactionCreate(
            **header,
            account_id=account,
            amount=data.draw(amounts),
            category_id=self._category(data),
        )

    @rule(data=st.data())
    def create(self, data: st.DataObject) -> None:
        shape = self._shape(data)

        async def work(db: AsyncSession) -> None:
            made = await transactions.create_transaction(db=db, owner_id=self.owner_id, data=shape)
            self.transactions.append(made.id)

        self._write(work)

    @precondition(lambda self: self.transactions)
    @rule(data=st.data())
    def replace(self, data: st.DataObject) -> None:
        chosen, shape = data.draw(st.sampled_from(self.transactions)), self._shape(data)
        self._write(
            lambda db: transactions.replace_transaction(
                db=db, owner_id=self.owner_id, transaction_id=chosen, data=shape
            )
        )

    @precondition(lambda self: self.transactions)
    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.transactions))
        change = TransactionUpdate.model_validate(
            data.draw(
                st.fixed_dictionaries(
                    {}, optional={"date": days, "status": statuses, "payee": st.just("Edited")}
                )
            )
        )
        self._write(
            lambda db: transactions.update_transaction(
                db=db, owner_id=self.owner_id, transaction_id=chosen, data=change
            )
        )

    @precondition(lambda self: self.transactions)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.transactions))

        async def work(db: AsyncSession) -> None:
            await transactions.delete_transaction(
                db=db, owner_id=self.owner_id, transaction_id=chosen
            )
            self.transactions.remove(chosen)

        self._write(work)

    @rule(data=st.data())
    def import_a_file(self, data: st.DataObject) -> None:
        account = data.draw(st.sampled_from(self.accounts))
        lines = [
            StatementLine(
                line=number,
                date=data.draw(days),
                amount=Decimal(data.draw(amounts)),
                payee=data.draw(st.sampled_from(PAYEES)),
                reference=f"ref-{self.imported}-{number}",
            )
            for number in range(2, 2 + data.draw(st.integers(1, 5)))
        ]
        self.imported += 1
        opened = OpenedFile.of_statement("bank.csv", FileFormat.CSV, Statement(lines, []))

        async def work(db: AsyncSession) -> None:
            checked = await imports.preview(
                db=db, owner_id=self.owner_id, account_id=account, opened=opened
            )
            self.batches.append((await imports.confirm(db=db, checked=checked)).id)

        self._write(work)

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def undo_an_import(self, data: st.DataObject) -> None:
        chosen = data.draw(st.sampled_from(self.batches))
        self._write(lambda db: imports.undo(db=db, owner_id=self.owner_id, batch_id=chosen))

    @rule(data=st.data())
    def apply_a_rule(self, data: st.DataObject) -> None:
        payee = data.draw(st.sampled_from(PAYEES))
        category = data.draw(st.sampled_from(sorted(self.categories)))
        overwrite = data.draw(st.booleans())

        async def work(db: AsyncSession) -> None:
            rule = RuleCreate(pattern=payee.lower(), category_id=category)
            await rules.create_rule(db=db, owner_id=self.owner_id, data=rule)
            await rules.apply_rules(db=db, owner_id=self.owner_id, overwrite=overwrite)

        self._write(work)

    @rule(data=st.data())
    def replace_a_category(self, data: st.DataObject) -> None:
        """Delete a category, its lines moving to another of its kind; a new one takes its
        place, so there are always some."""
        kind = data.draw(st.sampled_from(list(CategoryKind)))
        same_kind = sorted(c for c, k in self.categories.items() if k is kind)
        gone, heir = data.draw(st.permutations(same_kind))[:2]

        async def work(db: AsyncSession) -> None:
            await categories.delete_category(
                db=db, owner_id=self.owner_id, category_id=gone, replace_with=heir
            )
            del self.categories[gone]
            made = await categories.create_category(
                db=db,
                owner_id=self.owner_id,
                data=CategoryCreate(name=f"New {gone}", kind=kind),
            )
            self.categories[made.id] = kind

        self._write(work)

    @invariant()
    def every_total_is_the_sum_of_its_postings(self) -> None:
        async def check() -> None:
            async with self.database.session() as db:
                assert await unbalanced_transactions(db) == []
                assert mismatches(await stored(db), await recomputed(db)) == []
                ledger = LedgerRepository(db, self.owner_id)
                for date_from, date_to in PERIODS:
                    got = await ledger.category_totals(date_from, date_to)
                    assert by_key(got) == await summed_categories(db, date_from, date_to)
                for account in self.accounts:
                    for day in (date(2026, 2, 14), date(2026, 7, 31), date(2026, 8, 20)):
                        expected = await summed_account(db, account, day)
                        assert await ledger.posted_as_of(account, day) == expected

        self.runner.run(check())


def by_key(totals: list[Any]) -> dict[tuple[int | None, str], int]:
    """The figures by (category, currency), the ones that are zero left out."""
    return {(t.category_id, t.currency): t.minor for t in totals if t.minor}


async def summed_categories(
    db: AsyncSession, date_from: date, date_to: date
) -> dict[tuple[int | None, str], int]:
    """What went into each category (None: uncategorised), summed the plain way; the
    conversion legs of transfers between currencies are neither."""
    rows = await db.execute(
        select(Posting.category_id, Posting.currency, func.sum(Posting.amount_minor))
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .where(
            Posting.account_id.is_(None),
            Posting.conversion.is_(False),
            Transaction.date.between(date_from, date_to),
        )
        .group_by(Posting.category_id, Posting.currency)
    )
    sums: dict[tuple[int | None, str], int] = defaultdict(int)
    for category_id, currency, minor in rows:
        sums[(category_id, currency)] += int(minor)
    return {key: minor for key, minor in sums.items() if minor}


async def summed_account(db: AsyncSession, account_id: int, day: date) -> PostedTotals:
    """The account's postings up to the end of `day`, all and cleared, summed the plain way."""
    postings = await db.execute(
        select(Posting.amount_minor, Transaction.status)
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .where(Posting.account_id == account_id, Transaction.date <= day)
    )
    total = cleared = 0
    for amount, status in postings:
        total += amount
        cleared += amount if status.is_cleared else 0
    return PostedTotals(total, cleared)


async def fresh_database(on_postgresql: bool) -> Database:
    """An empty database with every table: in-memory SQLite, or PostgreSQL emptied."""
    if on_postgresql:
        return Database(await empty_postgres())
    engine = create_engine("sqlite+aiosqlite://", poolclass=StaticPool)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return Database(engine)


def test_the_totals_always_equal_their_postings(backend: str) -> None:
    with asyncio.Runner() as runner:

        class OnThisDatabase(LedgerMachine):
            def __init__(self) -> None:
                super().__init__(runner, on_postgresql=backend == "postgresql")

        run_state_machine_as_test(OnThisDatabase, settings=SETTINGS)
