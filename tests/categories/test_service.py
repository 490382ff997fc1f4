"""Category rules below the API: one owner's categories are invisible to another, who can neither
read, change, delete, nest under nor replace with them."""

from datetime import date

import pytest

from finance.accounts.schemas import AccountCreate
from finance.accounts.service import create_account
from finance.categories import service
from finance.categories.repository import CategoryRepository
from finance.categories.schemas import CategoryCreate, CategoryUpdate
from finance.errors import Conflict, InvalidInput, NotFound
from finance.ledger.models import AccountType, CategoryKind
from finance.transactions.schemas import SimpleTransactionCreate
from finance.transactions.service import create_transaction, get_transaction
from tests.users import add_user


@pytest.fixture
async def stranger(db):
    """A second user, who must never see the first one's categories."""
    return await add_user(db, "stranger@example.com")


async def add(db, owner_id: int, name: str, **fields) -> int:
    if "parent_id" not in fields:
        fields.setdefault("kind", CategoryKind.EXPENSE)
    category = await service.create_category(
        db=db, owner_id=owner_id, data=CategoryCreate(name=name, **fields)
    )
    return category.id


async def names(db, owner_id: int) -> list[str]:
    return [c.name for c in await service.list_categories(db=db, owner_id=owner_id)]


async def test_another_users_category_is_not_found(db, owner, stranger):
    food = await add(db, owner.id, "Food")

    with pytest.raises(NotFound):
        await service.get_category(db=db, owner_id=stranger.id, category_id=food)
    assert await service.list_categories(db=db, owner_id=stranger.id) == []
    assert await CategoryRepository(db, stranger.id).find_sibling("Food", None) is None


async def test_another_user_cannot_change_or_delete_the_first_users_category(db, owner, stranger):
    owner_id = owner.id
    food = await add(db, owner_id, "Food")

    with pytest.raises(NotFound):
        await service.update_category(
            db=db, owner_id=stranger.id, category_id=food, data=CategoryUpdate(name="Mine")
        )
    with pytest.raises(NotFound):
        await service.delete_category(db=db, owner_id=stranger.id, category_id=food)

    db.expire_all()
    assert (await service.get_category(db=db, owner_id=owner_id, category_id=food)).name == "Food"


async def test_another_users_category_cannot_be_used_as_a_parent(db, owner, stranger):
    food = await add(db, owner.id, "Food")

    with pytest.raises(InvalidInput) as refused:
        await add(db, stranger.id, "Groceries", parent_id=food)

    assert [e.field for e in refused.value.errors] == ["parent_id"]
    assert await names(db, stranger.id) == []


async def test_a_category_cannot_be_moved_under_another_users_category(db, owner, stranger):
    food = await add(db, owner.id, "Food")
    theirs = await add(db, stranger.id, "Snacks")

    with pytest.raises(InvalidInput) as refused:
        await service.update_category(
            db=db, owner_id=stranger.id, category_id=theirs, data=CategoryUpdate(parent_id=food)
        )

    assert [e.field for e in refused.value.errors] == ["parent_id"]


async def test_another_users_category_cannot_replace_a_deleted_one(db, owner, stranger):
    stranger_id = stranger.id
    mine = await add(db, owner.id, "Food")
    theirs = await add(db, stranger_id, "Snacks")
    account = await create_account(
        db=db,
        owner_id=stranger_id,
        data=AccountCreate(
            name="Wallet", type=AccountType.CASH, currency="USD", opening_date=date(2026, 1, 1)
        ),
    )
    data = SimpleTransactionCreate(
        account_id=account.account.id, amount="-1.00", date=date(2026, 10, 3), category_id=theirs
    )
    transaction_id = (await create_transaction(db=db, owner_id=stranger_id, data=data)).id

    with pytest.raises(InvalidInput) as refused:
        await service.delete_category(
            db=db, owner_id=stranger_id, category_id=theirs, replace_with=mine
        )

    assert [e.field for e in refused.value.errors] == ["replace_with"]
    await db.rollback()
    db.expire_all()
    kept = await get_transaction(db=db, owner_id=stranger_id, transaction_id=transaction_id)
    assert [p.category_id for p in kept.postings if p.account_id is None] == [theirs]


async def test_two_owners_may_use_the_same_category_names(db, owner, stranger):
    mine = await add(db, owner.id, "Food")
    theirs = await add(db, stranger.id, "food")
    await add(db, owner.id, "Groceries", parent_id=mine)
    await add(db, stranger.id, "GROCERIES", parent_id=theirs)

    assert await names(db, owner.id) == ["Food", "Groceries"]
    assert await names(db, stranger.id) == ["food", "GROCERIES"]


async def test_the_starter_set_fills_an_empty_ledger_with_a_two_level_tree(db, owner):
    created = await service.create_starter_set(db=db, owner_id=owner.id)

    by_id = {c.id: c for c in created}
    tops = {c.name: c.kind for c in created if c.parent_id is None}
    children = {c.name: by_id[c.parent_id].name for c in created if c.parent_id is not None}
    assert tops["Income"] is CategoryKind.INCOME and tops["Food"] is CategoryKind.EXPENSE
    assert children["Salary"] == "Income" and children["Groceries"] == "Food"
    assert all(by_id[c.parent_id].kind is c.kind for c in created if c.parent_id is not None)
    assert await names(db, owner.id) == [c.name for c in created]


async def test_the_starter_set_is_refused_once_there_are_categories(db, owner, stranger):
    owner_id = owner.id
    await service.create_starter_set(db=db, owner_id=owner_id)
    before = await names(db, owner_id)
    await add(db, stranger.id, "Their own")

    for who in (owner_id, stranger.id):
        with pytest.raises(Conflict):
            await service.create_starter_set(db=db, owner_id=who)

    assert await names(db, owner_id) == before
    assert await names(db, stranger.id) == ["Their own"]
