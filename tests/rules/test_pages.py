"""The rules page, with plain form posts as a browser without JavaScript sends them."""

from tests.api import API, add_account, add_category, add_transaction, get_json


async def test_a_rule_added_on_the_page_is_listed_and_can_be_deleted(client):
    food = await add_category(client, "Food")
    added = await client.post(
        "/rules", data={"match": "contains", "pattern": "whole foods", "category_id": food["id"]}
    )
    assert (added.status_code, added.headers["location"]) == (303, "/rules")
    page = await client.get("/rules")
    assert "<code>whole foods</code>" in page.text and "Food" in page.text
    rule_id = (await get_json(client, f"{API}/rules"))[0]["id"]
    assert (await client.post(f"/rules/{rule_id}/delete")).status_code == 303
    assert await get_json(client, f"{API}/rules") == []


async def test_a_refused_rule_shows_the_reason_beside_the_field_and_keeps_the_input(client):
    food = await add_category(client, "Food")
    refused = await client.post(
        "/rules", data={"match": "regex", "pattern": "(unclosed", "category_id": food["id"]}
    )
    assert refused.status_code == 422
    assert 'id="pattern-error"' in refused.text and "not a regular expression" in refused.text
    assert 'value="(unclosed"' in refused.text
    assert await get_json(client, f"{API}/rules") == []


async def test_applying_the_rules_says_how_many_transactions_changed(client):
    account = await add_account(client)
    food = await add_category(client, "Food")
    await add_transaction(client, account_id=account["id"], amount="-9", payee="Deli Co")
    await client.post("/rules", data={"pattern": "deli", "category_id": food["id"]})
    applied = await client.post("/rules/apply", data={})
    assert applied.headers["location"] == "/rules?applied=1"
    page = await client.get(applied.headers["location"])
    assert "changed the category of 1 transaction." in page.text
