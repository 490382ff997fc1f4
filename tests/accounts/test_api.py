"""The accounts API: listing with derived balances, opening, reading, changing, deleting, and the
balance at the end of a day. Every refused write leaves the ledger as it was."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from finance.ledger.models import AccountType
from tests.api import (
    API,
    add_account,
    add_category,
    add_transaction,
    assert_problem,
    created,
    get_json,
)

ACCOUNTS = f"{API}/accounts"


async def get_account(client: AsyncClient, account_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{ACCOUNTS}/{account_id}")
    return body


async def list_accounts(client: AsyncClient, **params: Any) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = await get_json(client, ACCOUNTS, **params)
    return body


async def names(client: AsyncClient, **params: Any) -> list[str]:
    return [account["name"] for account in await list_accounts(client, **params)]


async def balance_as_of(client: AsyncClient, account_id: int, as_of: str) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{ACCOUNTS}/{account_id}/balance", as_of=as_of)
    return body


# --- list -------------------------------------------------------------------------------------


async def test_the_list_starts_empty(client):
    assert await list_accounts(client) == []


async def test_the_list_shows_each_balance_as_the_opening_balance_plus_its_transactions(client):
    checking = await add_account(client, "Checking", opening_balance="100.00")
    savings = await add_account(client, "Savings", type="savings", opening_balance="5.00")
    idle = await add_account(client, "Idle", opening_balance="7.00")
    await add_transaction(client, account_id=checking["id"], amount="-30.25")
    await add_transaction(client, account_id=checking["id"], amount="10.00", status="cleared")
    await add_transaction(
        client, from_account_id=checking["id"], to_account_id=savings["id"], amount="20.00"
    )

    balances = {account["id"]: account["balance"] for account in await list_accounts(client)}

    assert balances == {checking["id"]: "59.75", savings["id"]: "25.00", idle["id"]: "7.00"}


async def test_the_list_shows_balances_with_the_currency_decimal_places(client):
    await add_account(client, "Yen", currency="JPY", opening_balance="1500")
    await add_account(client, "Dinar", currency="KWD", opening_balance="-2.5")
    await add_account(client, "Dollars", opening_balance="3")

    shown = {a["name"]: (a["opening_balance"], a["balance"]) for a in await list_accounts(client)}

    assert shown == {
        "Yen": ("1500", "1500"),
        "Dinar": ("-2.500", "-2.500"),
        "Dollars": ("3.00", "3.00"),
    }


async def test_the_list_is_sorted_by_name_ignoring_case(client):
    for name in ("savings", "Brokerage", "checking", "Amex"):
        await add_account(client, name)

    assert await names(client) == ["Amex", "Brokerage", "checking", "savings"]


async def test_the_archived_filter_shows_only_archived_or_only_active_accounts(client):
    await add_account(client, "Checking")
    old = await add_account(client, "Old card", type="credit_card")
    await add_account(client, "Savings", type="savings")
    response = await client.patch(f"{ACCOUNTS}/{old['id']}", json={"archived": True})
    assert response.status_code == 200, response.text

    assert await names(client, archived="true") == ["Old card"]
    assert await names(client, archived="false") == ["Checking", "Savings"]
    assert await names(client) == ["Checking", "Old card", "Savings"]


async def test_the_archived_filter_refuses_a_non_boolean(client):
    response = await client.get(ACCOUNTS, params={"archived": "sometimes"})
    assert_problem(response, 422, field="archived")


# --- create -----------------------------------------------------------------------------------


async def test_opening_an_account_answers_201_with_the_account(client):
    response = await client.post(
        ACCOUNTS,
        json={
            "name": "Checking",
            "type": "checking",
            "currency": "USD",
            "opening_balance": "1250.00",
            "opening_date": "2026-01-01",
            "note": "joint with Sam",
        },
    )

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["id"], int)
    created_at = body.pop("created_at")
    assert datetime.fromisoformat(created_at).utcoffset() == timedelta(0)
    assert body == {
        "id": body["id"],
        "name": "Checking",
        "type": "checking",
        "is_liability": False,
        "currency": "USD",
        "opening_balance": "1250.00",
        "opening_date": "2026-01-01",
        "balance": "1250.00",
        "projected_balance": "1250.00",
        "archived": False,
        "note": "joint with Sam",
    }
    assert await get_account(client, body["id"]) == {**body, "created_at": created_at}


async def test_a_new_account_defaults_to_zero_without_opening_date_active_and_without_note(
    client,
):
    body = created(
        await client.post(ACCOUNTS, json={"name": "Wallet", "type": "cash", "currency": "USD"})
    )

    assert body["opening_balance"] == "0.00"
    assert body["balance"] == "0.00"
    assert body["opening_date"] is None
    assert body["archived"] is False
    assert body["note"] == ""


async def test_surrounding_spaces_are_trimmed_from_the_name(client):
    body = await add_account(client, "  Checking  ")
    assert body["name"] == "Checking"


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [
        ("JPY", "1", "1"),
        ("JPY", "-1500", "-1500"),
        ("KWD", "1.234", "1.234"),
        ("USD", "-12.5", "-12.50"),
        ("USD", "0.010", "0.01"),
        ("EUR", "+7", "7.00"),
    ],
)
async def test_the_opening_balance_is_read_in_the_currency_of_the_account(
    client, currency, amount, shown
):
    body = await add_account(client, "Account", currency=currency, opening_balance=amount)

    assert (body["currency"], body["opening_balance"], body["balance"]) == (currency, shown, shown)
    assert (await get_account(client, body["id"]))["opening_balance"] == shown


@pytest.mark.parametrize(
    ("currency", "amount"),
    [("USD", "0.005"), ("JPY", "1.5"), ("KWD", "1.2345"), ("USD", "10000000000000")],
)
async def test_an_opening_balance_the_currency_cannot_hold_exactly_is_refused(
    client, currency, amount
):
    response = await client.post(
        ACCOUNTS,
        json={
            "name": "Checking",
            "type": "checking",
            "currency": currency,
            "opening_balance": amount,
        },
    )

    assert_problem(response, 422, field="opening_balance")
    assert await list_accounts(client) == []


@pytest.mark.parametrize("amount", [12.5, 12, "12,50", "1,234.56", "$5", "1e3", "twelve", ""])
async def test_an_opening_balance_that_is_not_a_decimal_string_is_refused(client, amount):
    """Pages read "1,234.56" and "$5" as people type them; the API takes plain decimals only."""
    response = await client.post(
        ACCOUNTS,
        json={"name": "Checking", "type": "checking", "currency": "USD", "opening_balance": amount},
    )

    assert_problem(response, 422, field="opening_balance")
    assert await list_accounts(client) == []


async def test_an_unknown_field_is_refused_and_named(client):
    response = await client.post(
        ACCOUNTS, json={"name": "Checking", "type": "checking", "currency": "USD", "colour": "red"}
    )

    assert_problem(response, 422, field="colour")
    assert await list_accounts(client) == []


@pytest.mark.parametrize("currency", ["ABC", "abc", "US", "USDD", ""])
async def test_a_currency_that_is_not_an_iso_code_is_refused(client, currency):
    response = await client.post(
        ACCOUNTS, json={"name": "Checking", "type": "checking", "currency": currency}
    )

    assert_problem(response, 422, field="currency")
    assert await list_accounts(client) == []


async def test_a_currency_code_in_any_case_is_read_as_iso_writes_it(client):
    opened = await add_account(client, "Checking", currency="usd")
    assert opened["currency"] == "USD"

    response = await client.patch(f"{ACCOUNTS}/{opened['id']}", json={"currency": "eUr"})

    assert response.status_code == 200, response.text
    assert (await get_account(client, opened["id"]))["currency"] == "EUR"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_an_empty_or_overlong_name_is_refused(client, name):
    response = await client.post(
        ACCOUNTS, json={"name": name, "type": "checking", "currency": "USD"}
    )

    assert_problem(response, 422, field="name")
    assert await list_accounts(client) == []


async def test_a_name_of_100_characters_is_accepted(client):
    body = await add_account(client, "x" * 100)
    assert body["name"] == "x" * 100


@pytest.mark.parametrize("missing", ["name", "type", "currency"])
async def test_a_required_field_left_out_is_refused_and_named(client, missing):
    payload = {"name": "Checking", "type": "checking", "currency": "USD"}
    del payload[missing]

    response = await client.post(ACCOUNTS, json=payload)

    assert_problem(response, 422, field=missing)
    assert await list_accounts(client) == []


async def test_an_unknown_account_type_is_refused(client):
    response = await client.post(
        ACCOUNTS, json={"name": "Jar", "type": "piggy_bank", "currency": "USD"}
    )
    assert_problem(response, 422, field="type")


async def test_a_note_over_2000_characters_is_refused(client):
    response = await client.post(
        ACCOUNTS, json={"name": "Jar", "type": "cash", "currency": "USD", "note": "n" * 2001}
    )
    assert_problem(response, 422, field="note")


@pytest.mark.parametrize("duplicate", ["Checking", "checking", "CHECKING", "  checking "])
async def test_a_name_already_used_ignoring_case_is_refused_with_409(client, duplicate):
    first = await add_account(client, "Checking", opening_balance="10.00")

    response = await client.post(
        ACCOUNTS, json={"name": duplicate, "type": "savings", "currency": "EUR"}
    )

    assert_problem(response, 409)
    assert await list_accounts(client) == [first]


async def test_a_name_differing_only_in_the_case_of_an_accented_letter_is_a_duplicate(client):
    first = await add_account(client, "Épargne", type="savings", currency="EUR")

    response = await client.post(
        ACCOUNTS, json={"name": "épargne", "type": "savings", "currency": "EUR"}
    )

    assert_problem(response, 409)
    assert await list_accounts(client) == [first]


@pytest.mark.parametrize("account_type", list(AccountType))
async def test_credit_cards_and_loans_are_liabilities_and_the_rest_are_not(client, account_type):
    body = await add_account(client, "Account", type=account_type.value)

    expected = account_type in {AccountType.CREDIT_CARD, AccountType.LOAN}
    assert body["type"] == account_type.value
    assert body["is_liability"] is expected
    assert (await get_account(client, body["id"]))["is_liability"] is expected
    assert (await list_accounts(client))[0]["is_liability"] is expected


# --- get --------------------------------------------------------------------------------------


async def test_an_account_is_read_with_its_current_balance(client):
    account = await add_account(client, "Checking", opening_balance="100.00")
    await add_transaction(client, account_id=account["id"], amount="-0.01")

    body = await get_account(client, account["id"])

    assert body == {**account, "balance": "99.99", "projected_balance": "99.99"}


async def test_a_missing_account_is_404_problem_details(client):
    body = assert_problem(await client.get(f"{ACCOUNTS}/999"), 404)
    assert body["title"] == "Not Found"
    assert "999" in body["detail"]


async def test_an_account_id_that_is_not_a_number_is_refused(client):
    assert_problem(await client.get(f"{ACCOUNTS}/checking"), 422, field="account_id")


# --- update -----------------------------------------------------------------------------------


async def patch(client: AsyncClient, account_id: int, **changes: Any):
    return await client.patch(f"{ACCOUNTS}/{account_id}", json=changes)


async def test_renaming_an_account_shows_the_new_name_everywhere(client):
    account = await add_account(client, "Checking", opening_balance="5.00")

    response = await patch(client, account["id"], name="Joint checking")

    assert response.status_code == 200, response.text
    assert response.json() == {**account, "name": "Joint checking"}
    assert await get_account(client, account["id"]) == response.json()
    assert await names(client) == ["Joint checking"]


async def test_an_account_can_be_renamed_to_a_different_case_of_its_own_name(client):
    account = await add_account(client, "checking")

    response = await patch(client, account["id"], name="Checking")

    assert response.status_code == 200, response.text
    assert (await get_account(client, account["id"]))["name"] == "Checking"


async def test_archiving_and_unarchiving_an_account(client):
    account = await add_account(client, "Old card", type="credit_card")

    response = await patch(client, account["id"], archived=True)
    assert response.status_code == 200, response.text
    assert response.json()["archived"] is True
    assert await names(client, archived="true") == ["Old card"]

    response = await patch(client, account["id"], archived=False)
    assert response.status_code == 200, response.text
    assert response.json()["archived"] is False
    assert await names(client, archived="true") == []


async def test_changing_the_type_changes_whether_it_is_a_liability(client):
    account = await add_account(client, "Card", type="checking")

    response = await patch(client, account["id"], type="credit_card")

    assert response.status_code == 200, response.text
    assert (response.json()["type"], response.json()["is_liability"]) == ("credit_card", True)
    stored = await get_account(client, account["id"])
    assert (stored["type"], stored["is_liability"]) == ("credit_card", True)


async def test_several_fields_change_at_once_and_the_rest_keep_their_values(client):
    account = await add_account(client, "Checking", opening_balance="1.00", note="old")

    response = await patch(
        client, account["id"], note="new", opening_date="2025-12-31", archived=True
    )

    assert response.status_code == 200, response.text
    assert await get_account(client, account["id"]) == {
        **account,
        "note": "new",
        "opening_date": "2025-12-31",
        "archived": True,
    }


async def test_an_empty_patch_changes_nothing(client):
    account = await add_account(client, "Checking", opening_balance="1.00")

    response = await patch(client, account["id"])

    assert response.status_code == 200, response.text
    assert response.json() == account


async def test_changing_the_opening_balance_moves_the_balance_by_the_difference(client):
    account = await add_account(client, "Checking", opening_balance="100.00")
    await add_transaction(client, account_id=account["id"], amount="-30.00")

    response = await patch(client, account["id"], opening_balance="200.00")

    assert response.status_code == 200, response.text
    assert (response.json()["opening_balance"], response.json()["balance"]) == ("200.00", "170.00")
    assert (await get_account(client, account["id"]))["balance"] == "170.00"


async def test_an_opening_balance_change_the_currency_cannot_hold_is_refused(client):
    account = await add_account(client, "Checking", opening_balance="1.00")

    response = await patch(client, account["id"], opening_balance="0.005")

    assert_problem(response, 422, field="opening_balance")
    assert await get_account(client, account["id"]) == account


async def test_renaming_to_another_accounts_name_ignoring_case_is_refused_with_409(client):
    await add_account(client, "Savings", type="savings")
    account = await add_account(client, "Checking")

    response = await patch(client, account["id"], name="SAVINGS")

    assert_problem(response, 409)
    assert await get_account(client, account["id"]) == account
    assert await names(client) == ["Checking", "Savings"]


async def test_a_refused_rename_also_leaves_the_other_fields_of_the_request_unapplied(client):
    await add_account(client, "Savings", type="savings")
    account = await add_account(client, "Checking")

    response = await patch(client, account["id"], name="savings", archived=True, note="x")

    assert_problem(response, 409)
    assert await get_account(client, account["id"]) == account


@pytest.mark.parametrize(
    "field", ["name", "type", "currency", "opening_balance", "archived", "note"]
)
async def test_null_for_a_field_is_refused_and_named(client, field):
    account = await add_account(client, "Checking", opening_balance="1.00")

    response = await client.patch(f"{ACCOUNTS}/{account['id']}", json={field: None})

    assert_problem(response, 422, field=field)
    assert await get_account(client, account["id"]) == account


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"type": "piggy_bank"}, "type"),
        ({"currency": "xyz"}, "currency"),
        ({"opening_balance": 5}, "opening_balance"),
        ({"archived": "maybe"}, "archived"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_an_invalid_change_is_refused_and_named(client, changes, field):
    account = await add_account(client, "Checking", opening_balance="1.00")

    response = await client.patch(f"{ACCOUNTS}/{account['id']}", json=changes)

    assert_problem(response, 422, field=field)
    assert await get_account(client, account["id"]) == account


async def test_changing_a_missing_account_is_404(client):
    assert_problem(await patch(client, 999, name="Anything"), 404)


async def test_the_currency_of_an_account_with_transactions_cannot_change(client):
    account = await add_account(client, "Checking", opening_balance="12.00")
    await add_transaction(client, account_id=account["id"], amount="-2.00")

    response = await patch(client, account["id"], currency="EUR")

    assert_problem(response, 409)
    stored = await get_account(client, account["id"])
    assert (stored["currency"], stored["opening_balance"], stored["balance"]) == (
        "USD",
        "12.00",
        "10.00",
    )


async def test_restating_the_same_currency_of_an_account_with_transactions_is_allowed(client):
    account = await add_account(client, "Checking", opening_balance="12.00")
    await add_transaction(client, account_id=account["id"], amount="-2.00")

    response = await patch(client, account["id"], currency="USD", note="same currency")

    assert response.status_code == 200, response.text
    assert response.json()["note"] == "same currency"


async def test_the_currency_of_an_account_whose_transactions_were_deleted_can_change(client):
    account = await add_account(client, "Checking")
    transaction = await add_transaction(client, account_id=account["id"], amount="-2.00")
    deleted = await client.delete(f"{API}/transactions/{transaction['id']}")
    assert deleted.status_code == 204, deleted.text

    response = await patch(client, account["id"], currency="EUR")

    assert response.status_code == 200, response.text
    assert response.json()["currency"] == "EUR"


@pytest.mark.parametrize(
    ("old", "amount", "new", "shown"),
    [
        ("USD", "12.00", "JPY", "12"),
        ("JPY", "1500", "USD", "1500.00"),
        ("USD", "1.50", "KWD", "1.500"),
        ("KWD", "-1.230", "EUR", "-1.23"),
    ],
)
async def test_before_any_transaction_the_currency_changes_and_the_opening_balance_is_reread(
    client, old, amount, new, shown
):
    account = await add_account(client, "Account", currency=old, opening_balance=amount)

    response = await patch(client, account["id"], currency=new)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["currency"], body["opening_balance"], body["balance"]) == (new, shown, shown)
    stored = await get_account(client, account["id"])
    assert (stored["currency"], stored["opening_balance"], stored["balance"]) == (new, shown, shown)


@pytest.mark.parametrize(
    ("old", "amount", "new"), [("USD", "12.34", "JPY"), ("KWD", "1.234", "USD")]
)
async def test_a_currency_change_the_opening_balance_does_not_fit_is_refused(
    client, old, amount, new
):
    account = await add_account(client, "Account", currency=old, opening_balance=amount)

    response = await patch(client, account["id"], currency=new)

    assert_problem(response, 422, field="opening_balance")
    assert await get_account(client, account["id"]) == account


async def test_a_currency_change_with_a_new_opening_balance_reads_it_in_the_new_currency(client):
    account = await add_account(client, "Account", opening_balance="12.34")

    response = await patch(client, account["id"], currency="JPY", opening_balance="1500")

    assert response.status_code == 200, response.text
    stored = await get_account(client, account["id"])
    assert (stored["currency"], stored["opening_balance"], stored["balance"]) == (
        "JPY",
        "1500",
        "1500",
    )


async def test_a_currency_change_with_an_opening_balance_to_zero_is_read_as_zero(client):
    account = await add_account(client, "Account", opening_balance="12.34")

    response = await patch(client, account["id"], currency="JPY", opening_balance="0")

    assert response.status_code == 200, response.text
    assert (response.json()["currency"], response.json()["opening_balance"]) == ("JPY", "0")


# --- delete -----------------------------------------------------------------------------------


async def test_deleting_an_account_answers_204_and_then_it_is_gone(client):
    account = await add_account(client, "Checking")
    kept = await add_account(client, "Savings", type="savings")

    response = await client.delete(f"{ACCOUNTS}/{account['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"{ACCOUNTS}/{account['id']}"), 404)
    assert await list_accounts(client) == [kept]
    assert_problem(await client.delete(f"{ACCOUNTS}/{account['id']}"), 404)


async def test_an_account_with_transactions_cannot_be_deleted_and_stays_as_it_was(client):
    account = await add_account(client, "Checking", opening_balance="50.00")
    groceries = await add_category(client, "Groceries")
    transaction = await add_transaction(
        client, account_id=account["id"], amount="-20.00", category_id=groceries["id"]
    )
    before = await get_account(client, account["id"])

    response = await client.delete(f"{ACCOUNTS}/{account['id']}")

    body = assert_problem(response, 409)
    assert "archive" in body["detail"]
    assert await get_account(client, account["id"]) == before
    assert before["balance"] == "30.00"
    stored = await client.get(f"{API}/transactions/{transaction['id']}")
    assert stored.status_code == 200
    assert stored.json() == transaction


async def test_an_account_used_only_as_a_transfer_target_cannot_be_deleted(client):
    checking = await add_account(client, "Checking")
    savings = await add_account(client, "Savings", type="savings")
    await add_transaction(
        client, from_account_id=checking["id"], to_account_id=savings["id"], amount="1.00"
    )

    assert_problem(await client.delete(f"{ACCOUNTS}/{savings['id']}"), 409)
    assert (await get_account(client, savings["id"]))["balance"] == "1.00"


async def test_an_account_can_be_deleted_once_its_transactions_are(client):
    account = await add_account(client, "Checking")
    transaction = await add_transaction(client, account_id=account["id"], amount="-2.00")
    assert_problem(await client.delete(f"{ACCOUNTS}/{account['id']}"), 409)
    assert (await client.delete(f"{API}/transactions/{transaction['id']}")).status_code == 204

    assert (await client.delete(f"{ACCOUNTS}/{account['id']}")).status_code == 204
    assert await list_accounts(client) == []


async def test_deleting_a_missing_account_is_404(client):
    assert_problem(await client.delete(f"{ACCOUNTS}/999"), 404)


# --- balance as of a day ----------------------------------------------------------------------


async def test_the_balance_before_the_opening_date_is_zero(client):
    account = await add_account(
        client, "Checking", opening_balance="100.00", opening_date="2026-01-10"
    )

    body = await balance_as_of(client, account["id"], "2026-01-09")

    assert body == {
        "account_id": account["id"],
        "as_of": "2026-01-09",
        "currency": "USD",
        "balance": "0.00",
        "cleared_balance": "0.00",
    }


@pytest.mark.parametrize("as_of", ["2026-01-10", "2026-01-11", "2030-12-31"])
async def test_the_balance_on_and_after_the_opening_date_includes_the_opening_balance(
    client, as_of
):
    account = await add_account(
        client, "Checking", opening_balance="100.00", opening_date="2026-01-10"
    )

    body = await balance_as_of(client, account["id"], as_of)

    assert (body["as_of"], body["balance"], body["cleared_balance"]) == (as_of, "100.00", "100.00")


async def test_the_cleared_balance_counts_only_cleared_and_reconciled_transactions(client):
    account = await add_account(
        client, "Checking", opening_balance="100.00", opening_date="2026-01-01"
    )
    for amount, status in [("-10.00", "uncleared"), ("-20.00", "cleared"), ("-5.00", "reconciled")]:
        await add_transaction(client, account_id=account["id"], amount=amount, status=status)

    body = await balance_as_of(client, account["id"], "2026-10-31")

    assert (body["balance"], body["cleared_balance"]) == ("65.00", "75.00")


async def test_the_balance_excludes_transactions_after_the_day_and_includes_that_day(client):
    account = await add_account(client, "Checking", opening_date="2026-01-01")
    await add_transaction(
        client, account_id=account["id"], amount="-1.00", date="2026-10-03", status="cleared"
    )
    await add_transaction(
        client, account_id=account["id"], amount="-10.00", date="2026-10-10", status="cleared"
    )

    seen = {
        as_of: (body["balance"], body["cleared_balance"])
        for as_of in ("2026-10-02", "2026-10-03", "2026-10-09", "2026-10-10")
        for body in [await balance_as_of(client, account["id"], as_of)]
    }

    assert seen == {
        "2026-10-02": ("0.00", "0.00"),
        "2026-10-03": ("-1.00", "-1.00"),
        "2026-10-09": ("-1.00", "-1.00"),
        "2026-10-10": ("-11.00", "-11.00"),
    }


async def test_the_balance_counts_transfers_on_both_sides(client):
    checking = await add_account(
        client, "Checking", opening_balance="50.00", opening_date="2026-01-01"
    )
    savings = await add_account(client, "Savings", type="savings", opening_date="2026-01-01")
    await add_transaction(
        client,
        from_account_id=checking["id"],
        to_account_id=savings["id"],
        amount="20.00",
        status="cleared",
    )

    assert (await balance_as_of(client, checking["id"], "2026-10-03"))["balance"] == "30.00"
    assert (await balance_as_of(client, savings["id"], "2026-10-03"))["cleared_balance"] == "20.00"


async def test_the_balance_is_shown_in_the_currency_of_the_account(client):
    account = await add_account(
        client, "Yen", currency="JPY", opening_balance="1000", opening_date="2026-01-01"
    )
    await add_transaction(client, account_id=account["id"], amount="-250")

    body = await balance_as_of(client, account["id"], "2026-10-03")

    assert (body["currency"], body["balance"], body["cleared_balance"]) == ("JPY", "750", "1000")


async def test_without_as_of_the_balance_counts_every_transaction_like_the_projected_balance(
    client,
):
    today = date.today()
    account = await add_account(
        client, "Checking", opening_balance="10.00", opening_date=today.isoformat()
    )
    await add_transaction(client, account_id=account["id"], amount="-1.00", date=today.isoformat())
    tomorrow = (today + timedelta(days=1)).isoformat()
    await add_transaction(client, account_id=account["id"], amount="-5.00", date=tomorrow)

    response = await client.get(f"{ACCOUNTS}/{account['id']}/balance")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["as_of"], body["balance"], body["cleared_balance"]) == (None, "4.00", "10.00")
    listed = (await client.get(f"{ACCOUNTS}/{account['id']}")).json()
    assert listed["projected_balance"] == body["balance"]
    assert listed["balance"] == "9.00"  # as of today: tomorrow's purchase is not spent yet


async def test_the_balance_of_a_missing_account_is_404(client):
    response = await client.get(f"{ACCOUNTS}/999/balance", params={"as_of": "2026-01-01"})
    assert_problem(response, 404)


@pytest.mark.parametrize("as_of", ["yesterday", "2026-13-01", "2026-02-30"])
async def test_a_balance_day_that_is_not_a_date_is_refused(client, as_of):
    account = await add_account(client, "Checking")

    response = await client.get(f"{ACCOUNTS}/{account['id']}/balance", params={"as_of": as_of})

    assert_problem(response, 422, field="as_of")


async def test_a_name_that_grows_when_case_folded_is_stored_and_still_unique(client):
    first = await add_account(client, "ß" * 100)
    assert first["name"] == "ß" * 100
    assert_problem(
        await client.post(ACCOUNTS, json={"name": "ẞ" * 100, "type": "cash", "currency": "USD"}),
        409,
    )


# --- signs, opening dates and today (issue 10) ------------------------------------------------


async def test_a_credit_card_owes_as_a_negative_balance_that_purchases_raise_and_payments_lower(
    client,
):
    checking = await add_account(client, "Checking", opening_balance="1250.00")
    card = await add_account(client, "Visa", type="credit_card", opening_balance="-320.50")
    assert card["is_liability"] is True and card["balance"] == "-320.50"

    await add_transaction(client, account_id=card["id"], amount="-23.40", payee="Cafe")
    assert (await get_account(client, card["id"]))["balance"] == "-343.90"
    await add_transaction(
        client, from_account_id=checking["id"], to_account_id=card["id"], amount="200.00"
    )

    balances = {a["name"]: a["balance"] for a in await list_accounts(client)}
    assert balances == {"Checking": "1050.00", "Visa": "-143.90"}  # net worth 906.10
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["AccountRead"]
    assert "owed" in schema["properties"]["balance"]["description"]


async def test_an_account_without_opening_date_takes_last_months_purchases(client):
    body = created(
        await client.post(
            ACCOUNTS,
            json={
                "name": "Checking",
                "type": "checking",
                "currency": "USD",
                "opening_balance": "50",
            },
        )
    )
    last_month = (date.today().replace(day=1) - timedelta(days=3)).isoformat()

    await add_transaction(client, account_id=body["id"], amount="-20.00", date=last_month)

    assert (await get_account(client, body["id"]))["balance"] == "30.00"
    before = await balance_as_of(client, body["id"], "2000-01-01")
    assert before["balance"] == "50.00"  # the opening balance stands before every transaction


async def test_null_removes_the_opening_date_and_with_it_the_limit(client):
    account = await add_account(client, "Checking", opening_date="2026-06-01")
    refused = await client.post(
        f"{API}/transactions",
        json={"account_id": account["id"], "date": "2026-05-31", "amount": "-1.00"},
    )
    problem = assert_problem(refused, 422, field="date")
    assert "Checking's opening date (2026-06-01)" in problem["detail"]

    response = await client.patch(f"{ACCOUNTS}/{account['id']}", json={"opening_date": None})

    assert response.status_code == 200, response.text
    assert response.json()["opening_date"] is None
    await add_transaction(client, account_id=account["id"], date="2026-05-31", amount="-1.00")


async def test_the_balance_is_as_of_today_and_the_projected_balance_counts_future_transactions(
    client,
):
    today = date.today()
    account = await add_account(client, "Checking", opening_balance="100.00")
    await add_transaction(client, account_id=account["id"], amount="-10.00", date=str(today))
    for ahead in (3, 40):  # later this month or next, and a month or two on
        later = (today + timedelta(days=ahead)).isoformat()
        await add_transaction(client, account_id=account["id"], amount="-25.00", date=later)

    body = await get_account(client, account["id"])

    assert (body["balance"], body["projected_balance"]) == ("90.00", "40.00")
    listed = await list_accounts(client)
    assert (listed[0]["balance"], listed[0]["projected_balance"]) == ("90.00", "40.00")


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "2200-01-01"])
async def test_a_day_outside_the_years_1900_to_2199_is_refused_everywhere_it_is_sent(client, day):
    account = await add_account(client, "Checking")
    attempts = [
        (
            await client.post(
                ACCOUNTS,
                json={"name": "New", "type": "cash", "currency": "USD", "opening_date": day},
            ),
            "opening_date",
        ),
        (
            await client.patch(f"{ACCOUNTS}/{account['id']}", json={"opening_date": day}),
            "opening_date",
        ),
        (
            await client.post(
                f"{API}/transactions",
                json={"account_id": account["id"], "date": day, "amount": "-1.00"},
            ),
            "date",
        ),
        (await client.get(f"{ACCOUNTS}/{account['id']}/balance", params={"as_of": day}), "as_of"),
        (await client.get(f"{API}/transactions", params={"date_from": day}), "date_from"),
    ]
    for response, field in attempts:
        problem = assert_problem(response, 422, field=field)
        assert "in the years 1900 to 2199" in problem["detail"]
    assert await names(client) == ["Checking"]
