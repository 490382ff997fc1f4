"""Account rules below the API: balances read in one query from the ledger's totals, one owner's
accounts invisible to another, and names unique per owner ignoring case."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from finance.accounts import service
from finance.accounts.repository import AccountRepository
from finance.accounts.schemas import AccountCreate, AccountUpdate
from finance.errors import Conflict, NotFound
from finance.ledger.models import AccountType, TransactionStatus
from finance.ledger.repository import LedgerRepository, PostedTotals
from finance.transactions.schemas import SimpleTransactionCreate, TransferCreate
from finance.transactions.service import create_transaction
from tests.users import add_user

OPENED = date(2026, 1, 1)


def new_account(name: str = "Checking", **fields: Any) -> AccountCreate:
    values: dict[str, Any] = {
        "name": name,
        "type": AccountType.CHECKING,
        "currency": "USD",
        "opening_date": OPENED,
        **fields,
    }
    return AccountCreate(**values)


async def open_account(db, owner_id: int, name: str = "Checking", **fields: Any) -> int:
    row = await service.create_account(db=db, owner_id=owner_id, data=new_account(name, **fields))
    return row.account.id


async def spend(
    db,
    owner_id: int,
    account_id: int,
    amount: str,
    *,
    on: date = date(2026, 10, 3),
    status: TransactionStatus = TransactionStatus.UNCLEARED,
) -> None:
    data = SimpleTransactionCreate(account_id=account_id, amount=amount, date=on, status=status)
    await create_transaction(db=db, owner_id=owner_id, data=data)


@pytest.fixture
async def stranger(db):
    """A second user, who must never see the first one's accounts."""
    return await add_user(db, "stranger@example.com")


# --- posted sums and totals -------------------------------------------------------------------


async def test_posted_sums_of_several_accounts_come_from_a_single_query(db, owner, engine):
    checking = await open_account(db, owner.id, "Checking", opening_balance="100.00")
    savings = await open_account(db, owner.id, "Savings")
    idle = await open_account(db, owner.id, "Idle")
    await spend(db, owner.id, checking, "-10.00")
    await spend(db, owner.id, checking, "-2.50", status=TransactionStatus.CLEARED)
    await spend(db, owner.id, savings, "40.00", status=TransactionStatus.RECONCILED)
    transfer = TransferCreate(
        from_account_id=checking, to_account_id=savings, amount="5.00", date=date(2026, 10, 4)
    )
    await create_transaction(db=db, owner_id=owner.id, data=transfer)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):  # how a transaction begins
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        totals = await LedgerRepository(db, owner.id).posted([checking, savings, idle])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    sums = {account: posted.total for account, posted in totals.items()}
    assert len(statements) == 1, statements
    assert sums == {checking: -1750, savings: 4500}
    assert sums.get(idle, 0) == 0


async def test_posted_sums_of_no_accounts_is_empty(db, owner):
    assert await LedgerRepository(db, owner.id).posted([]) == {}


async def test_posted_sums_ignore_another_owners_accounts(db, owner, stranger):
    account = await open_account(db, owner.id)
    await spend(db, owner.id, account, "-3.00")

    assert await LedgerRepository(db, stranger.id).posted([account]) == {}


async def test_posted_totals_stop_at_the_day_and_count_cleared_ones_apart(db, owner):
    account = await open_account(db, owner.id)
    await spend(db, owner.id, account, "-1.00", on=date(2026, 10, 3))
    await spend(
        db, owner.id, account, "-2.00", on=date(2026, 10, 3), status=TransactionStatus.CLEARED
    )
    await spend(db, owner.id, account, "-4.00", status=TransactionStatus.RECONCILED)
    await spend(db, owner.id, account, "-10.00", on=date(2026, 10, 4))
    ledger = LedgerRepository(db, owner.id)

    assert await ledger.posted_as_of(account, date(2026, 10, 2)) == PostedTotals(0, 0)
    assert await ledger.posted_as_of(account, date(2026, 10, 3)) == PostedTotals(-700, -600)
    assert await ledger.posted_as_of(account, date(2026, 10, 4)) == PostedTotals(-1700, -600)
    assert (await ledger.posted([account]))[account] == PostedTotals(-1700, -600)


async def test_posted_totals_ignore_another_owners_transactions(db, owner, stranger):
    account = await open_account(db, owner.id)
    await spend(db, owner.id, account, "-3.00", status=TransactionStatus.CLEARED)

    ledger = LedgerRepository(db, stranger.id)
    totals = (await ledger.posted([account])).get(account, PostedTotals())

    assert totals == PostedTotals(0, 0)
    assert await ledger.posted_as_of(account, date(2026, 12, 31)) == PostedTotals(0, 0)


async def test_the_listed_balances_add_the_opening_balance_to_the_postings(db, owner):
    checking = await open_account(db, owner.id, "Checking", opening_balance="100.00")
    await open_account(db, owner.id, "Savings", opening_balance="1.00")
    await spend(db, owner.id, checking, "-0.01")

    rows = await service.list_accounts(db=db, owner_id=owner.id)

    assert [(row.account.name, row.balance_minor) for row in rows] == [
        ("Checking", 9999),
        ("Savings", 100),
    ]


# --- owner scoping ----------------------------------------------------------------------------


async def test_another_user_cannot_read_or_list_the_first_users_accounts(db, owner, stranger):
    account = await open_account(db, owner.id, opening_balance="5.00")

    with pytest.raises(NotFound):
        await service.get_account(db=db, owner_id=stranger.id, account_id=account)
    with pytest.raises(NotFound):
        await service.get_balance(
            db=db, owner_id=stranger.id, account_id=account, as_of=date(2026, 10, 3)
        )
    assert await service.list_accounts(db=db, owner_id=stranger.id) == []
    assert await service.list_accounts(db=db, owner_id=stranger.id, archived=False) == []
    assert await AccountRepository(db, stranger.id).get_by_name("Checking") is None


async def test_another_user_cannot_change_the_first_users_account(db, owner, stranger):
    owner_id = owner.id
    account = await open_account(db, owner_id, opening_balance="5.00")

    with pytest.raises(NotFound):
        await service.update_account(
            db=db,
            owner_id=stranger.id,
            account_id=account,
            data=AccountUpdate(name="Mine now", archived=True),
        )

    db.expire_all()
    row = await service.get_account(db=db, owner_id=owner_id, account_id=account)
    assert (row.account.name, row.account.archived) == ("Checking", False)


async def test_another_user_cannot_delete_the_first_users_account(db, owner, stranger):
    owner_id = owner.id
    account = await open_account(db, owner_id)

    with pytest.raises(NotFound):
        await service.delete_account(db=db, owner_id=stranger.id, account_id=account)

    db.expire_all()
    row = await service.get_account(db=db, owner_id=owner_id, account_id=account)
    assert row.account.id == account


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("duplicate", ["Checking", "checking", "CHECKING"])
async def test_an_owner_cannot_have_two_accounts_with_the_same_name_ignoring_case(
    db, owner, duplicate
):
    await open_account(db, owner.id, "Checking")

    with pytest.raises(Conflict):
        await open_account(db, owner.id, duplicate)

    assert [row.account.name for row in await service.list_accounts(db=db, owner_id=owner.id)] == [
        "Checking"
    ]


async def test_renaming_onto_another_account_of_the_owner_ignoring_case_is_a_conflict(db, owner):
    await open_account(db, owner.id, "Savings")
    checking = await open_account(db, owner.id, "Checking")

    with pytest.raises(Conflict):
        await service.update_account(
            db=db, owner_id=owner.id, account_id=checking, data=AccountUpdate(name="sAVINGS")
        )


async def test_two_owners_may_each_have_an_account_with_the_same_name(db, owner, stranger):
    mine = await open_account(db, owner.id, "Checking")
    theirs = await open_account(db, stranger.id, "checking")

    assert mine != theirs
    assert [r.account.id for r in await service.list_accounts(db=db, owner_id=owner.id)] == [mine]
    assert [r.account.id for r in await service.list_accounts(db=db, owner_id=stranger.id)] == [
        theirs
    ]


async def test_an_account_may_be_renamed_to_a_name_another_owner_uses(db, owner, stranger):
    await open_account(db, stranger.id, "Brokerage")
    mine = await open_account(db, owner.id, "Checking")

    row = await service.update_account(
        db=db, owner_id=owner.id, account_id=mine, data=AccountUpdate(name="Brokerage")
    )

    assert row.account.name == "Brokerage"


async def test_finding_an_account_by_name_ignores_case(db, owner):
    account = await open_account(db, owner.id, "Joint Checking")

    found = await AccountRepository(db, owner.id).get_by_name("JOINT checking")

    assert found is not None
    assert found.id == account
