"""Transaction rules at the service and repository layer: owners never meet, the invariant check
finds what it should."""

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.categories import service as categories
from finance.categories.schemas import CategoryCreate
from finance.errors import InvalidInput, NotFound
from finance.ledger.check import unbalanced_transactions
from finance.ledger.models import AccountType, CategoryKind, Posting
from finance.transactions import service
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    TransactionFilters,
    TransactionUpdate,
)
from tests.users import add_user


def purchase(account_id: int, category_id: int | None = None, amount: str = "-5.00"):
    return SimpleTransactionCreate(
        date=date(2026, 10, 3), account_id=account_id, amount=amount, category_id=category_id
    )


@pytest.fixture
async def alice_books(db, owner):
    """The first user's account, category and one purchase."""
    account = await accounts.create_account(
        db=db,
        owner_id=owner.id,
        data=AccountCreate(
            name="Checking",
            type=AccountType.CHECKING,
            currency="USD",
            opening_date=date(2026, 1, 1),
        ),
    )
    category = await categories.create_category(
        db=db, owner_id=owner.id, data=CategoryCreate(name="Food", kind=CategoryKind.EXPENSE)
    )
    transaction = await service.create_transaction(
        db=db, owner_id=owner.id, data=purchase(account.account.id, category.id)
    )
    return {"account": account.account.id, "category": category.id, "transaction": transaction.id}


@pytest.fixture
async def bob(db):
    return await add_user(db, "bob@example.com")


async def test_another_owner_cannot_see_or_touch_a_transaction(db, alice_books, bob):
    transaction_id = alice_books["transaction"]
    with pytest.raises(NotFound):
        await service.get_transaction(db=db, owner_id=bob.id, transaction_id=transaction_id)
    with pytest.raises(NotFound):
        await service.update_transaction(
            db=db, owner_id=bob.id, transaction_id=transaction_id, data=TransactionUpdate(payee="x")
        )
    with pytest.raises(NotFound):
        await service.delete_transaction(db=db, owner_id=bob.id, transaction_id=transaction_id)
    page = await service.list_transactions(
        db=db, owner_id=bob.id, where=TransactionFilters(), cursor=None, limit=50
    )
    assert page.items == []


async def test_another_owners_account_or_category_cannot_be_used(db, alice_books, bob):
    with pytest.raises(InvalidInput, match="account_id"):
        await service.create_transaction(
            db=db, owner_id=bob.id, data=purchase(alice_books["account"])
        )
    bobs = await accounts.create_account(
        db=db,
        owner_id=bob.id,
        data=AccountCreate(
            name="Checking",
            type=AccountType.CHECKING,
            currency="USD",
            opening_date=date(2026, 1, 1),
        ),
    )
    with pytest.raises(InvalidInput, match="category_id"):
        await service.create_transaction(
            db=db, owner_id=bob.id, data=purchase(bobs.account.id, alice_books["category"])
        )


async def test_the_invariant_check_finds_an_unbalanced_transaction(db, owner, alice_books):
    assert await unbalanced_ids(db) == []
    await db.execute(
        update(Posting)
        .where(
            Posting.transaction_id == alice_books["transaction"], Posting.account_id.is_not(None)
        )
        .values(amount_minor=-499)
    )
    assert await unbalanced_ids(db) == [alice_books["transaction"]]
    await db.rollback()


async def unbalanced_ids(db: AsyncSession) -> list[int]:
    return [problem.transaction_id for problem in await unbalanced_transactions(db)]


async def test_a_page_is_cut_at_the_limit_with_a_cursor_to_the_rest(db, owner, alice_books):
    for _ in range(2):
        await service.create_transaction(
            db=db, owner_id=owner.id, data=purchase(alice_books["account"])
        )
    first = await service.list_transactions(
        db=db, owner_id=owner.id, where=TransactionFilters(), cursor=None, limit=2
    )
    rest = await service.list_transactions(
        db=db, owner_id=owner.id, where=TransactionFilters(), cursor=first.next_cursor, limit=2
    )
    assert len(first.items) == 2 and first.next_cursor is not None
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert {t.id for t in first.items}.isdisjoint({t.id for t in rest.items})
