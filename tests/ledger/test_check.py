"""`finance db check`'s check of the totals, below the command line, on each database: it finds
nothing wrong in a ledger written through the services, and names every total that no longer is
the sum of its postings."""

import asyncio
from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.categories import service as categories
from finance.categories.schemas import CategoryCreate
from finance.ledger.check import check_ledger
from finance.ledger.models import AccountMonth, AccountType, CategoryKind, CategoryMonth
from finance.ledger.repository import LedgerRepository, PostedTotals
from finance.ledger.totals import Sums
from finance.transactions import service as transactions
from finance.transactions.schemas import SimpleTransactionCreate, TransferCreate
from finance.users.models import User


async def a_month_of_books(db: AsyncSession, owner: User) -> tuple[int, int, int]:
    """Two accounts, a category, a purchase, a refund and a transfer."""
    ids = []
    for name in ("Checking", "Savings"):
        account = AccountCreate(
            name=name, type=AccountType.CHECKING, currency="USD", opening_date=date(2026, 1, 1)
        )
        made = await accounts.create_account(db=db, owner_id=owner.id, data=account)
        ids.append(made.account.id)
    food = await categories.create_category(
        db=db, owner_id=owner.id, data=CategoryCreate(name="Food", kind=CategoryKind.EXPENSE)
    )
    checking, savings = ids
    for amount, status in (("-54.23", "cleared"), ("12.00", "uncleared")):
        purchase = SimpleTransactionCreate(
            account_id=checking,
            date=date(2026, 10, 3),
            amount=amount,
            category_id=food.id,
            status=status,
        )
        await transactions.create_transaction(db=db, owner_id=owner.id, data=purchase)
    move = TransferCreate(
        from_account_id=checking, to_account_id=savings, amount="100", date=date(2026, 10, 9)
    )
    await transactions.create_transaction(db=db, owner_id=owner.id, data=move)
    return checking, savings, food.id


async def test_a_ledger_written_through_the_services_checks_clean(db, owner):
    await a_month_of_books(db, owner)

    report = await check_ledger(db)

    assert report.ok, (report.problems, report.totals)
    assert (report.transactions, report.postings) == (3, 6)


async def test_a_transfer_between_currencies_checks_clean_and_is_no_category_figure(db, owner):
    checking, _savings, food = await a_month_of_books(db, owner)
    euros = AccountCreate(
        name="Euros", type=AccountType.SAVINGS, currency="EUR", opening_date=date(2026, 1, 1)
    )
    made = await accounts.create_account(db=db, owner_id=owner.id, data=euros)
    ledger = LedgerRepository(db, owner.id)
    periods = [
        (date(2026, 1, 1), date(2026, 12, 31)),  # whole months, from the totals
        (date(2026, 10, 1), date(2026, 10, 20)),  # days, from the postings
        (date(2026, 9, 20), date(2026, 11, 30)),  # both
    ]
    before = [await ledger.category_totals(*period) for period in periods]
    move = TransferCreate(
        from_account_id=checking,
        to_account_id=made.account.id,
        amount="100.00",
        received_amount="92.00",
        date=date(2026, 10, 12),
    )
    await transactions.create_transaction(db=db, owner_id=owner.id, data=move)

    report = await check_ledger(db)
    assert report.ok, (report.problems, report.totals)
    assert (report.transactions, report.postings) == (4, 10)
    after = [await ledger.category_totals(*period) for period in periods]
    assert after == before
    assert [(t.category_id, t.currency, t.minor) for t in after[0]] == [(food, "USD", 4223)]
    assert await ledger.posted([made.account.id]) == {made.account.id: PostedTotals(9200, 0)}


async def test_every_total_that_is_not_its_postings_sum_is_named(db, owner):
    checking, _savings, food = await a_month_of_books(db, owner)
    october = date(2026, 10, 1)
    await db.execute(
        update(AccountMonth)
        .where(AccountMonth.account_id == checking, AccountMonth.month == october)
        .values(cleared_minor=AccountMonth.cleared_minor - 1)
    )
    await db.execute(
        update(CategoryMonth).where(CategoryMonth.category_id == food).values(postings=7)
    )
    await db.commit()

    report = await check_ledger(db)

    assert not report.ok and report.problems == []
    named = {mismatch.total: (mismatch.stored, mismatch.expected) for mismatch in report.totals}
    assert named == {
        f"account {checking}, 2026-10": (Sums(-14223, -5424, 3), Sums(-14223, -5423, 3)),
        f"category {food}, 2026-10, USD": (Sums(4223, 0, 7), Sums(4223, 0, 2)),
    }


async def test_concurrent_writers_on_one_account_leave_every_total_right(
    backend, database, db, owner
):
    if backend == "sqlite":
        pytest.skip("concurrent writers need connections of their own: PostgreSQL here")
    checking, savings, food = await a_month_of_books(db, owner)

    async def spend(index: int) -> None:
        async with database.session() as writer:
            data = SimpleTransactionCreate(
                account_id=checking if index % 2 else savings,
                date=date(2026, 10 + index % 3, 1 + index % 28),
                amount="-1.00",
                category_id=food,
                status="cleared" if index % 3 else "uncleared",
            )
            await transactions.create_transaction(db=writer, owner_id=owner.id, data=data)

    await asyncio.gather(*(spend(index) for index in range(40)))

    report = await check_ledger(db)
    assert report.ok, report.totals
    assert report.transactions == 43
