"""Categorisation rules through the API: made, refused when they cannot work, used by imports
before anything else, and re-applied to existing transactions."""

from typing import Any

from httpx import AsyncClient

from tests.api import (
    API,
    add_account,
    add_category,
    add_transaction,
    assert_problem,
    created,
    get_json,
)
from tests.users import add_user, credentials_for


async def add_rule(client: AsyncClient, pattern: str, category_id: int, **fields: Any) -> Any:
    payload = {"pattern": pattern, "category_id": category_id, **fields}
    return created(await client.post(f"{API}/rules", json=payload))


async def category_of(client: AsyncClient, transaction_id: int) -> Any:
    return (await get_json(client, f"{API}/transactions/{transaction_id}"))["category_id"]


async def import_csv(client: AsyncClient, account_id: int, rows: str) -> Any:
    response = await client.post(
        f"{API}/imports",
        data={"account_id": str(account_id)},
        files={"file": ("s.csv", f"Date,Description,Amount,Category\n{rows}".encode())},
    )
    return created(response)


async def test_rules_are_listed_in_the_order_they_are_tried_and_can_be_deleted(client):
    food = await add_category(client, "Food")
    first = await add_rule(client, "whole foods", food["id"])
    second = await add_rule(client, r"^trader joe'?s", food["id"], match="regex")
    listed = await get_json(client, f"{API}/rules")
    assert [rule["id"] for rule in listed] == [first["id"], second["id"]]
    assert listed[1]["match"] == "regex"
    assert (await client.delete(f"{API}/rules/{first['id']}")).status_code == 204
    assert [rule["id"] for rule in await get_json(client, f"{API}/rules")] == [second["id"]]


async def test_a_rule_that_cannot_work_is_refused(client, app, db):
    food = await add_category(client, "Food")
    bad_regex = {"pattern": "(unclosed", "match": "regex", "category_id": food["id"]}
    assert_problem(await client.post(f"{API}/rules", json=bad_regex), 422, field="pattern")
    missing = {"pattern": "x", "category_id": 999}
    assert_problem(await client.post(f"{API}/rules", json=missing), 422, field="category_id")
    stranger = await add_user(db, "stranger@example.com")
    theirs = await credentials_for(db, stranger)
    foreign = {"pattern": "x", "category_id": food["id"]}
    response = await client.post(f"{API}/rules", json=foreign, headers=theirs.headers)
    assert_problem(response, 422, field="category_id")
    rule = await add_rule(client, "x", food["id"])
    response = await client.delete(f"{API}/rules/{rule['id']}", headers=theirs.headers)
    assert_problem(response, 404)
    assert await get_json(client, f"{API}/rules") != []


async def test_imports_use_a_rule_before_the_files_category_and_the_payees_history(client):
    account = await add_account(client)
    food, treats, rent = [await add_category(client, name) for name in ("Food", "Treats", "Rent")]
    await import_csv(client, account["id"], "2026-10-01,Blue Bottle Coffee,-4.50,Food\n")
    await add_rule(client, "bottle", treats["id"])
    await import_csv(
        client,
        account["id"],
        "2026-10-02,BLUE BOTTLE COFFEE,-5.00,Food\n2026-10-02,Landlord,-900.00,Rent\n",
    )
    page = await get_json(client, f"{API}/transactions", limit=10)
    by_payee = {item["payee"]: item["category_id"] for item in page["items"]}
    assert by_payee == {
        "Blue Bottle Coffee": food["id"],
        "BLUE BOTTLE COFFEE": treats["id"],
        "Landlord": rent["id"],
    }


async def test_applying_rules_categorises_simple_transactions_only(client):
    account = await add_account(client)
    savings = await add_account(client, "Savings")
    food, other = await add_category(client, "Food"), await add_category(client, "Other")
    bare = await add_transaction(client, account_id=account["id"], amount="-9", payee="Deli Co")
    known = await add_transaction(
        client, account_id=account["id"], amount="-9", payee="Deli Co", category_id=other["id"]
    )
    split = await add_transaction(
        client,
        account_id=account["id"],
        payee="Deli Co",
        splits=[{"amount": "-1"}, {"amount": "-2", "category_id": other["id"]}],
    )
    await add_transaction(
        client, from_account_id=account["id"], to_account_id=savings["id"], amount="5"
    )
    await add_rule(client, "deli", food["id"])

    applied = await client.post(f"{API}/rules/apply", json={})
    assert applied.json() == {"changed": 1}
    assert await category_of(client, bare["id"]) == food["id"]
    assert await category_of(client, known["id"]) == other["id"]
    split_lines = (await get_json(client, f"{API}/transactions/{split['id']}"))["splits"]
    assert [line["category_id"] for line in split_lines] == [None, other["id"]]

    overwritten = await client.post(f"{API}/rules/apply", json={"overwrite": True})
    assert overwritten.json() == {"changed": 1}
    assert await category_of(client, known["id"]) == food["id"]


async def test_rules_never_categorise_the_conversion_legs_of_a_transfer_between_currencies(
    client,
):
    account = await add_account(client)
    euros = await add_account(client, "Euros", currency="EUR")
    food = await add_category(client, "Food")
    exchange = await add_transaction(
        client,
        from_account_id=account["id"],
        to_account_id=euros["id"],
        amount="100.00",
        received_amount="92.00",
        payee="Deli Co",
    )
    await add_rule(client, "deli", food["id"])

    for overwrite in (False, True):
        applied = await client.post(f"{API}/rules/apply", json={"overwrite": overwrite})
        assert applied.json() == {"changed": 0}
    shown = await get_json(client, f"{API}/transactions/{exchange['id']}", include="postings")
    assert shown["type"] == "transfer"
    assert [p["category_id"] for p in shown["postings"]] == [None] * 4
