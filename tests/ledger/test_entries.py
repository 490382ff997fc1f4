"""The legs of a transfer, within one currency and between two: each currency sums to zero, and
between currencies a conversion leg beside each account balances it; the refusals name the
field to put right."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.errors import InvalidInput
from finance.ledger.entries import Entry, Leg, transfer_legs, unbalanced_currencies
from finance.ledger.journal import Journal
from finance.ledger.models import Account, AccountType, Posting
from finance.users.models import User

CHECKING = Account(id=1, currency="USD")
SAVINGS = Account(id=2, currency="USD")
EUROS = Account(id=3, currency="EUR")


def test_a_transfer_within_one_currency_is_two_account_legs() -> None:
    assert transfer_legs(CHECKING, SAVINGS, 6000) == (
        Leg(-6000, "USD", account_id=1),
        Leg(6000, "USD", account_id=2),
    )
    assert transfer_legs(CHECKING, SAVINGS, 6000, 6000) == transfer_legs(CHECKING, SAVINGS, 6000)


def test_a_transfer_between_currencies_balances_each_with_a_conversion_leg() -> None:
    legs = transfer_legs(CHECKING, EUROS, 10000, 9200)
    assert legs == (
        Leg(-10000, "USD", account_id=1),
        Leg(10000, "USD", conversion=True),
        Leg(-9200, "EUR", conversion=True),
        Leg(9200, "EUR", account_id=3),
    )
    assert unbalanced_currencies(legs) == []
    assert all(leg.category_id is None for leg in legs)


@pytest.mark.parametrize(
    ("target", "amount", "received", "field", "message"),
    [
        (EUROS, 10000, None, "received_amount", "a transfer from USD to EUR needs the amount"),
        (EUROS, 10000, 0, "received_amount", "positive"),
        (EUROS, 10000, -9200, "received_amount", "positive"),
        (EUROS, 0, 9200, "amount", "positive"),
        (SAVINGS, 6000, 5900, "received_amount", "what is received is the amount sent"),
        (CHECKING, 6000, None, "to_account_id", "two different accounts"),
    ],
)
def test_a_transfer_that_cannot_be_is_refused_naming_the_field(
    target: Account, amount: int, received: int | None, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        transfer_legs(CHECKING, target, amount, received)
    assert [error.field for error in refused.value.errors] == [field]
    assert message in str(refused.value)


async def open_accounts(db: AsyncSession, owner: User) -> tuple[int, int]:
    ids = []
    for name, currency in (("Checking", "USD"), ("Euros", "EUR")):
        data = AccountCreate(
            name=name, type=AccountType.CHECKING, currency=currency, opening_date=date(2026, 1, 1)
        )
        ids.append((await accounts.create_account(db=db, owner_id=owner.id, data=data)).account.id)
    return ids[0], ids[1]


async def test_the_journal_writes_the_conversion_flag(db, owner) -> None:
    checking, euros = await open_accounts(db, owner)
    source, target = await db.get_one(Account, checking), await db.get_one(Account, euros)
    journal = Journal(db, owner.id)
    one = await journal.record(Entry(date(2026, 10, 3), transfer_legs(source, target, 100, 92)))
    (many,) = await journal.record_many(
        [Entry(date(2026, 10, 4), transfer_legs(source, target, 200, 184))]
    )
    await db.commit()
    for transaction_id in (one.id, many):
        rows = await db.execute(
            select(Posting.account_id, Posting.amount_minor, Posting.conversion)
            .where(Posting.transaction_id == transaction_id)
            .order_by(Posting.id)
        )
        flags = [(account is None, conversion) for account, _, conversion in rows]
        assert flags == [(False, False), (True, True), (True, True), (False, False)]


async def test_the_journal_refuses_a_conversion_leg_on_an_account(db, owner) -> None:
    checking, _ = await open_accounts(db, owner)
    legs = [Leg(-100, "USD", account_id=checking), Leg(100, "USD", account_id=None)]
    bad = [legs[0]._replace(conversion=True), legs[1]]
    with pytest.raises(InvalidInput, match="a conversion leg names neither"):
        await Journal(db, owner.id).record(Entry(date(2026, 10, 3), bad))
