"""The transactions API: the three shapes, updates, deletion and the errors around them."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.api import API, add_account, add_category, add_transaction, assert_problem


@pytest.fixture
async def ledger(client):
    """Checking (100.00 opening), Savings, a Food > Groceries tree and a Salary category."""
    checking = await add_account(
        client, "Checking", opening_balance="100.00", opening_date="2026-01-01"
    )
    savings = await add_account(client, "Savings", type="savings", opening_date="2026-01-01")
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    salary = await add_category(client, "Salary", kind="income")
    return {
        "checking": checking["id"],
        "savings": savings["id"],
        "food": food["id"],
        "groceries": groceries["id"],
        "salary": salary["id"],
    }


async def balance(client, account_id: int) -> str:
    response = await client.get(f"{API}/accounts/{account_id}")
    return str(response.json()["balance"])


async def transaction_count(client) -> int:
    return len((await client.get(f"{API}/transactions")).json()["items"])


async def test_a_simple_purchase_moves_the_account_and_names_its_category(client, ledger):
    body = await add_transaction(
        client,
        account_id=ledger["checking"],
        amount="-54.23",
        payee="Whole Foods",
        category_id=ledger["groceries"],
    )
    assert body["type"] == "simple"
    assert (body["account_id"], body["amount"], body["currency"]) == (
        ledger["checking"],
        "-54.23",
        "USD",
    )
    assert body["category_id"] == ledger["groceries"]
    assert (body["payee"], body["status"], body["date"]) == (
        "Whole Foods",
        "uncleared",
        "2026-10-03",
    )
    assert body["postings"] is None
    assert await balance(client, ledger["checking"]) == "45.77"


async def test_a_transaction_without_category_is_uncategorised(client, ledger):
    body = await add_transaction(client, account_id=ledger["checking"], amount="20.00")
    assert body["category_id"] is None
    assert await balance(client, ledger["checking"]) == "120.00"


async def test_the_api_keeps_signed_amounts_where_pages_take_the_sign_from_the_type(client, ledger):
    """A minus spends and no sign receives, whatever the category's kind: a refund is a
    positive amount into an expense category."""
    spent = {"account_id": ledger["checking"], "category_id": ledger["groceries"]}
    await add_transaction(client, amount="-10.00", **spent)
    refund = await add_transaction(client, amount="10.00", **spent)
    assert refund["amount"] == "10.00"
    await add_transaction(client, amount="-10.00", account_id=ledger["checking"])
    assert await balance(client, ledger["checking"]) == "90.00"


async def test_postings_are_shown_on_request_and_sum_to_zero(client, ledger):
    body = await add_transaction(
        client, account_id=ledger["checking"], amount="-5.00", category_id=ledger["food"]
    )
    response = await client.get(f"{API}/transactions/{body['id']}?include=postings")
    postings = response.json()["postings"]
    assert [(p["account_id"], p["category_id"], p["amount"]) for p in postings] == [
        (ledger["checking"], None, "-5.00"),
        (None, ledger["food"], "5.00"),
    ]


async def test_a_transfer_moves_money_between_two_accounts(client, ledger):
    body = await add_transaction(
        client, from_account_id=ledger["checking"], to_account_id=ledger["savings"], amount="60.00"
    )
    assert body["type"] == "transfer"
    assert (body["from_account_id"], body["to_account_id"], body["amount"]) == (
        ledger["checking"],
        ledger["savings"],
        "60.00",
    )
    assert await balance(client, ledger["checking"]) == "40.00"
    assert await balance(client, ledger["savings"]) == "60.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"to_account_id": "same"}, "to_account_id"),
        ({"to_account_id": 999}, "to_account_id"),
        ({"to_account_id": None}, "to_account_id"),
    ],
)
async def test_a_bad_transfer_is_refused_and_nothing_moves(client, ledger, change, field):
    payload = {
        "date": "2026-10-03",
        "from_account_id": ledger["checking"],
        "to_account_id": ledger["savings"],
        "amount": "5.00",
        **change,
    }
    if payload["to_account_id"] == "same":
        payload["to_account_id"] = ledger["checking"]
    if payload["to_account_id"] is None:
        del payload["to_account_id"]
    assert_problem(await client.post(f"{API}/transactions", json=payload), 422, field=field)
    assert await balance(client, ledger["checking"]) == "100.00"
    assert await transaction_count(client) == 0


@pytest.fixture
async def euros(client) -> int:
    """A EUR savings account, opened 2026-01-01, empty."""
    account = await add_account(client, "Euro savings", type="savings", currency="EUR")
    return int(account["id"])


async def exchange(client, ledger, euros, **fields: Any) -> dict[str, Any]:
    """100.00 USD from Checking into the EUR account, 92.00 EUR received (unless told)."""
    payload = {
        "from_account_id": ledger["checking"],
        "to_account_id": euros,
        "amount": "100.00",
        "received_amount": "92.00",
    }
    return await add_transaction(client, **(payload | fields))


async def test_a_transfer_between_currencies_moves_each_account_in_its_own_currency(
    client, ledger, euros
):
    body = await exchange(client, ledger, euros)
    assert body["type"] == "transfer"
    assert (body["amount"], body["currency"]) == ("100.00", "USD")
    assert (body["received_amount"], body["received_currency"]) == ("92.00", "EUR")
    assert body["exchange_rate"] == "0.920000"
    assert await balance(client, ledger["checking"]) == "0.00"
    assert await balance(client, euros) == "92.00"
    shown = (await client.get(f"{API}/transactions/{body['id']}?include=postings")).json()
    assert shown["exchange_rate"] == "0.920000"
    assert sorted(
        (p["amount"], p["currency"], p["account_id"], p["conversion"]) for p in shown["postings"]
    ) == [
        ("-100.00", "USD", ledger["checking"], False),
        ("-92.00", "EUR", None, True),
        ("100.00", "USD", None, True),
        ("92.00", "EUR", euros, False),
    ]


async def test_a_transfer_within_one_currency_receives_what_it_sends_and_has_no_rate(
    client, ledger
):
    body = await add_transaction(
        client, from_account_id=ledger["checking"], to_account_id=ledger["savings"], amount="60.00"
    )
    assert (body["received_amount"], body["received_currency"]) == ("60.00", "USD")
    assert body["exchange_rate"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_amount": None}, "a transfer from USD to EUR needs the amount received"),
        ({"received_amount": "0"}, "positive"),
        ({"received_amount": "-92.00"}, "positive"),
        ({"received_amount": "92.001"}, "EUR amounts have at most 2 decimal places"),
        ({"received_amount": 92}, "decimal strings"),
    ],
)
async def test_a_bad_amount_received_is_refused_by_name_and_nothing_moves(
    client, ledger, euros, change, message
):
    payload = {
        "date": "2026-10-03",
        "from_account_id": ledger["checking"],
        "to_account_id": euros,
        "amount": "100.00",
        **change,
    }
    response = await client.post(f"{API}/transactions", json=payload)
    problem = assert_problem(response, 422, field="received_amount")
    assert message in problem["detail"]
    assert await balance(client, ledger["checking"]) == "100.00"
    assert await balance(client, euros) == "0.00"
    assert await transaction_count(client) == 0


async def test_within_one_currency_the_amount_received_is_the_amount_sent(client, ledger):
    response = await client.post(
        f"{API}/transactions",
        json={
            "date": "2026-10-03",
            "from_account_id": ledger["checking"],
            "to_account_id": ledger["savings"],
            "amount": "60.00",
            "received_amount": "59.00",
        },
    )
    assert_problem(response, 422, field="received_amount")
    assert await transaction_count(client) == 0


async def test_replacing_a_transfer_between_currencies_moves_both_sides_again(
    client, ledger, euros
):
    body = await exchange(client, ledger, euros)
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-04",
            "from_account_id": ledger["checking"],
            "to_account_id": euros,
            "amount": "50.00",
            "received_amount": "47.50",
        },
    )
    assert response.status_code == 200, response.text
    assert (response.json()["received_amount"], response.json()["exchange_rate"]) == (
        "47.50",
        "0.950000",
    )
    assert await balance(client, ledger["checking"]) == "50.00"
    assert await balance(client, euros) == "47.50"


async def test_a_transfer_between_currencies_becomes_one_within_a_currency_when_replaced(
    client, ledger, euros
):
    body = await exchange(client, ledger, euros)
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-03",
            "from_account_id": ledger["checking"],
            "to_account_id": ledger["savings"],
            "amount": "30.00",
        },
    )
    assert response.status_code == 200, response.text
    shown = (await client.get(f"{API}/transactions/{body['id']}?include=postings")).json()
    assert [p["conversion"] for p in shown["postings"]] == [False, False]
    assert await balance(client, euros) == "0.00"
    assert await balance(client, ledger["savings"]) == "30.00"


async def test_patching_a_transfer_between_currencies_keeps_both_amounts(client, ledger, euros):
    body = await exchange(client, ledger, euros)
    response = await client.patch(
        f"{API}/transactions/{body['id']}", json={"status": "cleared", "date": "2026-10-09"}
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["type"], patched["amount"], patched["received_amount"]) == (
        "transfer",
        "100.00",
        "92.00",
    )
    assert patched["date"] == "2026-10-09"
    assert await balance(client, euros) == "92.00"
    refused = await client.patch(
        f"{API}/transactions/{body['id']}", json={"received_amount": "90.00"}
    )
    assert_problem(refused, 422, field="received_amount")  # amounts change with PUT
    assert await balance(client, euros) == "92.00"


async def test_deleting_a_transfer_between_currencies_puts_both_balances_back(
    client, ledger, euros
):
    body = await exchange(client, ledger, euros)
    assert (await client.delete(f"{API}/transactions/{body['id']}")).status_code == 204
    assert await balance(client, ledger["checking"]) == "100.00"
    assert await balance(client, euros) == "0.00"


async def test_a_split_spreads_one_payment_over_several_categories(client, ledger):
    body = await add_transaction(
        client,
        account_id=ledger["checking"],
        payee="Target",
        splits=[
            {"category_id": ledger["groceries"], "amount": "-30.00"},
            {"category_id": ledger["food"], "amount": "-12.50", "memo": "snacks"},
            {"category_id": ledger["salary"], "amount": "2.50", "memo": "refund"},
        ],
    )
    assert body["type"] == "split"
    assert body["amount"] == "-40.00"
    assert body["splits"] == [
        {"category_id": ledger["groceries"], "amount": "-30.00", "memo": ""},
        {"category_id": ledger["food"], "amount": "-12.50", "memo": "snacks"},
        {"category_id": ledger["salary"], "amount": "2.50", "memo": "refund"},
    ]
    assert await balance(client, ledger["checking"]) == "60.00"


async def test_a_split_line_with_too_many_decimals_names_the_line_and_writes_nothing(
    client, ledger
):
    response = await client.post(
        f"{API}/transactions",
        json={
            "date": "2026-10-03",
            "account_id": ledger["checking"],
            "splits": [
                {"category_id": ledger["groceries"], "amount": "-1.00"},
                {"category_id": ledger["food"], "amount": "-2.005"},
            ],
        },
    )
    assert_problem(response, 422, field="splits.1.amount")
    assert await transaction_count(client) == 0


async def test_a_split_needs_two_lines(client, ledger):
    response = await client.post(
        f"{API}/transactions",
        json={
            "date": "2026-10-03",
            "account_id": ledger["checking"],
            "splits": [{"category_id": ledger["food"], "amount": "-1.00"}],
        },
    )
    assert_problem(response, 422, field="splits")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account_id": 999}, "account_id"),
        ({"category_id": 999}, "category_id"),
        ({"amount": -5}, "amount"),
        ({"amount": "-5.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1,234.56"}, "amount"),  # pages read the locale's way; the API does not
        ({"amount": "$5"}, "amount"),
        ({"amount": "10000000000000.00"}, "amount"),
        ({"date": "2026-02-30"}, "date"),
        ({"status": "pending"}, "status"),
        ({"payee": "x" * 201}, "payee"),
        ({"colour": "red"}, "colour"),
        ({"payee": "nul\u0000byte"}, "payee"),
        ({"account_id": 2**31}, "account_id"),
        ({"category_id": 0}, "category_id"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(client, ledger, change, field):
    payload = {"date": "2026-10-03", "account_id": ledger["checking"], "amount": "-5.00", **change}
    assert_problem(await client.post(f"{API}/transactions", json=payload), 422, field=field)
    assert await transaction_count(client) == 0


async def test_an_archived_account_takes_no_new_transactions(client, ledger):
    await client.patch(f"{API}/accounts/{ledger['savings']}", json={"archived": True})
    response = await client.post(
        f"{API}/transactions",
        json={"date": "2026-10-03", "account_id": ledger["savings"], "amount": "1.00"},
    )
    assert_problem(response, 422, field="account_id")


async def test_amounts_follow_the_accounts_currency(client):
    yen = await add_account(client, "Yen wallet", type="cash", currency="JPY")
    dinar = await add_account(client, "Dinar", currency="KWD")
    assert (await add_transaction(client, account_id=yen["id"], amount="-1"))["amount"] == "-1"
    assert (await add_transaction(client, account_id=dinar["id"], amount="1.234"))[
        "amount"
    ] == "1.234"
    refused = await client.post(
        f"{API}/transactions", json={"date": "2026-10-03", "account_id": yen["id"], "amount": "1.5"}
    )
    assert_problem(refused, 422, field="amount")


async def test_amounts_near_ten_trillion_are_kept_exactly(client, ledger):
    await add_transaction(client, account_id=ledger["checking"], amount="9999999999999.99")
    await add_transaction(client, account_id=ledger["checking"], amount="9999999999999.99")
    assert await balance(client, ledger["checking"]) == "20000000000099.98"


async def test_a_missing_transaction_is_a_404(client, ledger):
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        kwargs = {}
        if method == "PATCH":
            kwargs["json"] = {"payee": "x"}
        if method == "PUT":
            kwargs["json"] = {
                "date": "2026-10-03",
                "account_id": ledger["checking"],
                "amount": "1.00",
            }
        assert_problem(await client.request(method, f"{API}/transactions/999", **kwargs), 404)


async def test_patch_changes_the_header_and_keeps_the_amounts(client, ledger):
    body = await add_transaction(
        client, account_id=ledger["checking"], amount="-10.00", payee="Cafe"
    )
    response = await client.patch(
        f"{API}/transactions/{body['id']}",
        json={"payee": "Corner cafe", "status": "cleared", "date": "2026-10-09", "memo": "latte"},
    )
    assert response.status_code == 200
    updated = response.json()
    assert (updated["payee"], updated["status"], updated["date"], updated["memo"]) == (
        "Corner cafe",
        "cleared",
        "2026-10-09",
        "latte",
    )
    assert updated["amount"] == "-10.00"
    as_of = await client.get(f"{API}/accounts/{ledger['checking']}/balance?as_of=2026-10-05")
    assert as_of.json()["balance"] == "100.00"


async def test_patch_refuses_null_and_unknown_fields(client, ledger):
    body = await add_transaction(
        client, account_id=ledger["checking"], amount="-10.00", payee="Cafe"
    )
    assert_problem(
        await client.patch(f"{API}/transactions/{body['id']}", json={"payee": None}),
        422,
        field="payee",
    )
    assert_problem(
        await client.patch(f"{API}/transactions/{body['id']}", json={"amount": "1.00"}),
        422,
        field="amount",
    )
    assert (await client.get(f"{API}/transactions/{body['id']}")).json()["payee"] == "Cafe"


async def test_put_replaces_a_simple_transaction_with_a_split(client, ledger):
    body = await add_transaction(client, account_id=ledger["checking"], amount="-10.00")
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-04",
            "account_id": ledger["checking"],
            "payee": "Market",
            "splits": [
                {"category_id": ledger["groceries"], "amount": "-7.00"},
                {"category_id": ledger["food"], "amount": "-8.00"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert (replaced["id"], replaced["type"], replaced["amount"]) == (body["id"], "split", "-15.00")
    assert await balance(client, ledger["checking"]) == "85.00"


async def test_a_reconciled_transaction_keeps_its_amounts_until_unreconciled(client, ledger):
    body = await add_transaction(
        client, account_id=ledger["checking"], amount="-10.00", status="reconciled"
    )
    change = {"date": "2026-10-03", "account_id": ledger["checking"], "amount": "-99.00"}
    refused = await client.put(
        f"{API}/transactions/{body['id']}", json={**change, "status": "reconciled"}
    )
    assert_problem(refused, 409)
    assert await balance(client, ledger["checking"]) == "90.00"
    allowed = await client.put(
        f"{API}/transactions/{body['id']}", json={**change, "status": "cleared"}
    )
    assert allowed.status_code == 200
    assert await balance(client, ledger["checking"]) == "1.00"


async def test_a_reconciled_transaction_can_still_be_renamed(client, ledger):
    body = await add_transaction(
        client, account_id=ledger["checking"], amount="-10.00", status="reconciled"
    )
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-03",
            "account_id": ledger["checking"],
            "amount": "-10.00",
            "status": "reconciled",
            "payee": "Renamed",
        },
    )
    assert response.json()["payee"] == "Renamed"


async def test_delete_removes_the_transaction_and_restores_the_balance(client, ledger):
    body = await add_transaction(client, account_id=ledger["checking"], amount="-10.00")
    assert (await client.delete(f"{API}/transactions/{body['id']}")).status_code == 204
    assert_problem(await client.get(f"{API}/transactions/{body['id']}"), 404)
    assert await balance(client, ledger["checking"]) == "100.00"


async def test_a_transaction_before_the_accounts_opening_date_is_refused(client, ledger):
    response = await client.post(
        f"{API}/transactions",
        json={"date": "2025-12-31", "account_id": ledger["checking"], "amount": "-1.00"},
    )
    problem = assert_problem(response, 422, field="date")
    assert "opening date" in problem["detail"]
    assert await transaction_count(client) == 0


async def test_the_opening_date_cannot_move_past_the_first_transaction(client, ledger):
    await add_transaction(client, date="2026-03-01", account_id=ledger["checking"], amount="-1.00")
    url = f"{API}/accounts/{ledger['checking']}"
    assert_problem(
        await client.patch(url, json={"opening_date": "2026-03-02"}), 422, field="opening_date"
    )
    assert (await client.patch(url, json={"opening_date": "2026-03-01"})).status_code == 200
    assert (await client.patch(url, json={"opening_date": "2025-06-01"})).status_code == 200


@pytest.mark.parametrize("body", ["[1]", '"x"', "{", "null"])
async def test_a_body_that_is_not_a_json_object_is_refused(client, body):
    response = await client.post(
        f"{API}/transactions", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422)


async def test_ids_beyond_what_a_database_stores_are_refused_not_crashed(client, ledger):
    for url in (f"{API}/transactions/{2**63}", f"{API}/accounts/{2**40}", f"{API}/categories/0"):
        assert_problem(await client.get(url), 422)


async def reconciled_purchase(client: AsyncClient, ledger: dict[str, int]) -> dict[str, Any]:
    return await add_transaction(
        client,
        account_id=ledger["checking"],
        amount="-10.00",
        category_id=ledger["food"],
        status="reconciled",
    )


async def test_a_put_without_status_cannot_change_a_reconciled_transactions_amount(client, ledger):
    body = await reconciled_purchase(client, ledger)
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={"date": "2026-10-03", "account_id": ledger["checking"], "amount": "-999.00"},
    )
    assert_problem(response, 409)
    after = (await client.get(f"{API}/transactions/{body['id']}")).json()
    assert (after["amount"], after["status"]) == ("-10.00", "reconciled")


async def test_a_reconciled_transaction_can_be_recategorised(client, ledger):
    body = await reconciled_purchase(client, ledger)
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-03",
            "account_id": ledger["checking"],
            "amount": "-10.00",
            "category_id": ledger["groceries"],
        },
    )
    assert response.status_code == 200, response.text
    assert (response.json()["category_id"], response.json()["status"]) == (
        ledger["groceries"],
        "reconciled",
    )


async def test_a_reconciled_transaction_keeps_its_date_and_cannot_be_deleted(client, ledger):
    body = await reconciled_purchase(client, ledger)
    url = f"{API}/transactions/{body['id']}"
    assert_problem(await client.patch(url, json={"date": "2026-10-09"}), 409)
    assert_problem(await client.delete(url), 409)
    moved = await client.patch(url, json={"date": "2026-10-09", "status": "cleared"})
    assert moved.status_code == 200
    assert (await client.delete(url)).status_code == 204


async def test_patch_cannot_move_a_transaction_before_its_accounts_opening_date(client, ledger):
    body = await add_transaction(client, account_id=ledger["checking"], amount="-10.00")
    response = await client.patch(f"{API}/transactions/{body['id']}", json={"date": "2025-06-01"})
    assert_problem(response, 422, field="date")
    assert (await client.get(f"{API}/transactions/{body['id']}")).json()["date"] == "2026-10-03"


async def test_a_transaction_on_an_archived_account_can_still_be_corrected(client, ledger):
    body = await add_transaction(client, account_id=ledger["savings"], amount="25.00")
    await client.patch(f"{API}/accounts/{ledger['savings']}", json={"archived": True})
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={"date": "2026-10-03", "account_id": ledger["savings"], "amount": "20.00"},
    )
    assert response.status_code == 200, response.text
    moved_elsewhere = await client.put(
        f"{API}/transactions/{body['id']}",
        json={
            "date": "2026-10-03",
            "from_account_id": ledger["checking"],
            "to_account_id": ledger["savings"],
            "amount": "20.00",
        },
    )
    assert moved_elsewhere.status_code == 200, moved_elsewhere.text


async def test_put_marks_the_transaction_updated(client, ledger):
    body = await add_transaction(client, account_id=ledger["checking"], amount="-10.00")
    response = await client.put(
        f"{API}/transactions/{body['id']}",
        json={"date": "2026-10-03", "account_id": ledger["checking"], "amount": "-11.00"},
    )
    assert response.json()["updated_at"] > body["updated_at"]
