"""The demo data comes out again in one step: every demo transaction, account and category
goes, the ledger stays balanced, and the person's own data stays whole; while their own data
uses the demo data, nothing is removed."""

import pytest

from finance.demo import find_demo_data, load_demo, remove_demo
from finance.errors import Conflict
from finance.ledger.check import check_ledger
from tests.api import API, add_account, add_category, add_transaction, get_json


@pytest.fixture
async def demo(db, owner):
    """The owner's ledger with the demo year in it."""
    await load_demo(db, owner=owner)


async def names(client, what: str) -> list[str]:
    listed = await get_json(client, f"{API}/{what}")
    if what == "categories":
        listed = [*listed, *(child for top in listed for child in top["children"])]
    return sorted(item["name"] for item in listed)


async def test_removing_the_demo_data_keeps_only_the_persons_own(db, owner, demo, client):
    mine = await add_account(client, "My bank", opening_balance="100.00")
    food = await add_category(client, "My food")
    await add_transaction(client, account_id=mine["id"], amount="-12.50", category_id=food["id"])

    removed = await remove_demo(db, owner_id=owner.id)

    assert (removed.accounts, removed.categories) == (4, 26)
    assert len(removed.transaction_ids) > 300
    assert await names(client, "accounts") == ["My bank"]
    assert await names(client, "categories") == ["My food"]
    transactions = (await get_json(client, f"{API}/transactions"))["items"]
    assert [t["amount"] for t in transactions] == ["-12.50"]
    account = await get_json(client, f"{API}/accounts/{mine['id']}")
    assert account["balance"] == "87.50"
    report = await check_ledger(db)
    assert report.ok and report.transactions == 1
    assert not (await find_demo_data(db, owner_id=owner.id)).present


async def test_an_own_transaction_in_a_demo_account_stops_the_removal(db, owner, demo, client):
    checking = next(a for a in await get_json(client, f"{API}/accounts") if a["name"] == "Checking")
    food = await add_category(client, "My food")
    spent = await add_transaction(
        client, account_id=checking["id"], amount="-3.00", payee="My bakery", category_id=food["id"]
    )

    found = await find_demo_data(db, owner_id=owner.id)
    assert [t.id for t in found.mixed] == [spent["id"]] and found.mixed_count == 1
    with pytest.raises(Conflict):
        await remove_demo(db, owner_id=owner.id)
    await db.rollback()

    assert len(await names(client, "accounts")) == 4
    assert len(await names(client, "categories")) == 27
    assert (await check_ledger(db)).ok


async def test_an_own_category_under_a_demo_one_stops_the_removal(db, owner, demo, client):
    food = next(c for c in await get_json(client, f"{API}/categories") if c["name"] == "Food")
    await add_category(client, "Bakery", parent_id=food["id"])

    assert (await find_demo_data(db, owner_id=owner.id)).own_children == ["Bakery"]
    with pytest.raises(Conflict):
        await remove_demo(db, owner_id=owner.id)
    await db.rollback()

    assert len(await names(client, "categories")) == 27
