"""Listing transactions: newest first, filters, and keyset pages that never skip or repeat."""

import base64

import pytest

from finance.config import Settings
from tests.api import API, add_account, add_category, add_transaction, assert_problem


@pytest.fixture
async def history(client):
    """A small October: groceries, a transfer to savings, a salary, a split, a cleared coffee."""
    checking = (await add_account(client, "Checking"))["id"]
    savings = (await add_account(client, "Savings", type="savings"))["id"]
    food = (await add_category(client, "Food"))["id"]
    groceries = (await add_category(client, "Groceries", parent_id=food))["id"]
    salary = (await add_category(client, "Salary", kind="income"))["id"]
    rows = {
        "groceries": await add_transaction(
            client,
            date="2026-10-01",
            account_id=checking,
            amount="-54.23",
            payee="Whole Foods",
            category_id=groceries,
        ),
        "transfer": await add_transaction(
            client,
            date="2026-10-02",
            from_account_id=checking,
            to_account_id=savings,
            amount="500.00",
            memo="monthly saving",
        ),
        "salary": await add_transaction(
            client,
            date="2026-10-03",
            account_id=checking,
            amount="3000.00",
            payee="ACME Corp",
            category_id=salary,
        ),
        "split": await add_transaction(
            client,
            date="2026-10-03",
            account_id=checking,
            payee="Target",
            splits=[
                {"category_id": groceries, "amount": "-20.00"},
                {"category_id": food, "amount": "-5.00"},
            ],
        ),
        "coffee": await add_transaction(
            client,
            date="2026-10-05",
            account_id=checking,
            amount="-4.50",
            payee="100% Coffee",
            status="cleared",
        ),
    }
    ids = {name: row["id"] for name, row in rows.items()}
    return {
        "ids": ids,
        "checking": checking,
        "savings": savings,
        "food": food,
        "groceries": groceries,
    }


async def listed(client, query: str = "") -> list[int]:
    response = await client.get(f"{API}/transactions{query}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_newest_first_and_later_entries_first_within_a_day(client, history):
    ids = history["ids"]
    assert await listed(client) == [
        ids["coffee"],
        ids["split"],
        ids["salary"],
        ids["transfer"],
        ids["groceries"],
    ]


async def test_filter_by_account_includes_transfers_into_it(client, history):
    assert await listed(client, f"?account_id={history['savings']}") == [history["ids"]["transfer"]]


async def test_filter_by_parent_category_includes_its_children(client, history):
    ids = history["ids"]
    assert await listed(client, f"?category_id={history['food']}") == [
        ids["split"],
        ids["groceries"],
    ]
    assert await listed(client, f"?category_id={history['groceries']}") == [
        ids["split"],
        ids["groceries"],
    ]


async def test_filter_by_date_range_includes_both_ends(client, history):
    ids = history["ids"]
    assert await listed(client, "?date_from=2026-10-02&date_to=2026-10-03") == [
        ids["split"],
        ids["salary"],
        ids["transfer"],
    ]


async def test_text_search_matches_payee_or_memo_in_any_case(client, history):
    ids = history["ids"]
    assert await listed(client, "?q=WHOLE") == [ids["groceries"]]
    assert await listed(client, "?q=saving") == [ids["transfer"]]
    assert await listed(client, "?q=100%25") == [ids["coffee"]]
    assert await listed(client, "?q=%25") == [ids["coffee"]]


async def test_text_search_matches_an_amount_in_or_out_or_only_the_sign_typed(client, history):
    """An amount searched for is what an account moves: without a sign, in or out."""
    ids = history["ids"]
    assert await listed(client, "?q=54.23") == [ids["groceries"]]
    assert await listed(client, "?q=-54.23") == [ids["groceries"]]
    assert await listed(client, "?q=%2B54.23") == []
    assert await listed(client, "?q=4.5") == [ids["coffee"]]
    assert await listed(client, "?q=500") == [ids["transfer"]]
    assert await listed(client, "?q=%2B500") == [ids["transfer"]]  # into savings
    assert await listed(client, "?q=25") == [ids["split"]]  # what the account paid in all
    assert await listed(client, "?q=20") == []  # a split line alone moves no account
    assert await listed(client, "?q=54.235") == []
    assert await listed(client, "?q=54,23") == []  # the API reads plain decimals only


async def test_amount_range_is_signed_and_inclusive(client, history):
    ids = history["ids"]
    assert await listed(client, "?amount_min=-54.23&amount_max=-4.50") == [
        ids["coffee"],
        ids["split"],
        ids["groceries"],
    ]
    assert await listed(client, "?amount_min=1000") == [ids["salary"]]
    assert_problem(await client.get(f"{API}/transactions?amount_min=lots"), 422, field="amount_min")


async def test_filter_by_status(client, history):
    assert await listed(client, "?status=cleared") == [history["ids"]["coffee"]]


async def test_filters_combine(client, history):
    query = f"?account_id={history['checking']}&date_from=2026-10-03&q=target"
    assert await listed(client, query) == [history["ids"]["split"]]


async def test_pages_walk_every_transaction_once_in_order(client, history):
    everything = await listed(client)
    seen: list[int] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"{API}/transactions{query}")).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


async def test_a_row_added_while_paging_is_neither_skipped_nor_repeated_later(client, history):
    first = (await client.get(f"{API}/transactions?limit=2")).json()
    newer = await add_transaction(
        client, date="2026-10-30", account_id=history["checking"], amount="-1.00"
    )
    rest = (await client.get(f"{API}/transactions?limit=10&cursor={first['next_cursor']}")).json()
    shown = [item["id"] for item in first["items"] + rest["items"]]
    assert newer["id"] not in shown
    assert len(shown) == len(set(shown)) == 5


async def test_the_page_size_is_capped_by_the_server(app, client, history):
    app.state.settings = Settings(page_size_max=3, _env_file=None)
    page = (await client.get(f"{API}/transactions?limit=1000")).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] is not None
    assert_problem(await client.get(f"{API}/transactions?limit=0"), 422, field="limit")


async def test_a_forged_cursor_is_refused(client, history):
    assert_problem(await client.get(f"{API}/transactions?cursor=not-a-cursor"), 422, field="cursor")


@pytest.mark.parametrize("row_id", ["9223372036854775808", "-1", "0", "1" + "0" * 40])
async def test_a_cursor_naming_an_impossible_row_id_is_refused_not_crashed(client, history, row_id):
    cursor = base64.urlsafe_b64encode(f"2026-01-01|{row_id}".encode()).decode()
    assert_problem(await client.get(f"{API}/transactions?cursor={cursor}"), 422, field="cursor")


async def test_postings_in_lists_only_on_request(client, history):
    plain = (await client.get(f"{API}/transactions")).json()["items"]
    assert all(item["postings"] is None for item in plain)
    full = (await client.get(f"{API}/transactions?include=postings")).json()["items"]
    assert all(len(item["postings"]) >= 2 for item in full)


async def test_a_misspelt_filter_is_refused_rather_than_showing_everything(client, history):
    problem = assert_problem(await client.get(f"{API}/transactions?acount_id=1"), 422)
    assert problem["errors"][0]["field"] == "acount_id"


async def test_extreme_amount_bounds_are_clamped_not_crashed(client, history):
    assert await listed(client, "?amount_min=99999999999999999999999") == []
    assert len(await listed(client, "?amount_max=99999999999999999999999")) == 5
