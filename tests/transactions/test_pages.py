"""The transactions page: a filtered list that bookmarks, a quick-add form for purchases,
income, transfers and splits, inline edit, and delete with undo; each with and without htmx."""

import datetime as dt
import html
import re
from typing import Any

import pytest
from httpx import AsyncClient

from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.categories import service as categories
from finance.categories.schemas import CategoryCreate
from finance.transactions import service as transactions
from finance.transactions.schemas import SimpleTransactionCreate
from tests.api import API, add_account, add_category, add_transaction, get_json
from tests.users import add_user, notice_on

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def ledger(client):
    """Checking and savings; Food with Groceries under it, Household, Salary; October so far:
    groceries, a transfer to savings, a salary."""
    checking = (await add_account(client, "Checking"))["id"]
    savings = (await add_account(client, "Savings", type="savings"))["id"]
    food = (await add_category(client, "Food"))["id"]
    groceries = (await add_category(client, "Groceries", parent_id=food))["id"]
    household = (await add_category(client, "Household"))["id"]
    salary = (await add_category(client, "Salary", kind="income"))["id"]
    shopping = await add_transaction(
        client,
        date="2026-10-01",
        account_id=checking,
        amount="-54.23",
        payee="Whole Foods",
        category_id=groceries,
    )
    transfer = await add_transaction(
        client,
        date="2026-10-02",
        from_account_id=checking,
        to_account_id=savings,
        amount="500.00",
        memo="monthly saving",
    )
    pay = await add_transaction(
        client,
        date="2026-10-03",
        account_id=checking,
        amount="3000.00",
        payee="ACME Corp",
        category_id=salary,
        status="cleared",
    )
    return {
        "checking": checking,
        "savings": savings,
        "food": food,
        "groceries": groceries,
        "household": household,
        "salary": salary,
        "shopping": shopping["id"],
        "transfer": transfer["id"],
        "pay": pay["id"],
    }


def form(ledger: dict[str, int], **fields: str) -> dict[str, str]:
    """What the transaction form sends for a purchase of 54.23 at the corner shop, changed by
    `fields`; the four blank split lines come along, as a browser sends them."""
    sent = {
        "return": "",
        "date": "2026-10-04",
        "payee": "Corner Shop",
        "amount": "54.23",
        "kind": "expense",
        "account_id": str(ledger["checking"]),
        "category_id": str(ledger["groceries"]),
        "to_account_id": "",
    }
    for line in range(4):
        sent |= {f"splits.{line}.{name}": "" for name in ("category_id", "amount", "memo")}
    return sent | fields


def row_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="transaction-(\d+)"', page)]


def hidden_inputs(fragment: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', fragment)
    return {name: html.unescape(value) for name, value in found}


def selected(page: str, control_id: str) -> str | None:
    """The value of the selected option of a select, or None."""
    select = re.search(rf'<select id="{control_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, control_id
    chosen = re.search(r'<option value="([^"]*)" selected>', select[1])
    return chosen[1] if chosen else None


def input_value(page: str, control_id: str) -> str:
    found = re.search(rf'<input id="{control_id}"[^>]* value="([^"]*)"', page)
    assert found is not None, control_id
    return html.unescape(found[1])


async def newest(client: AsyncClient) -> dict[str, Any]:
    items: list[dict[str, Any]] = (await get_json(client, f"{API}/transactions"))["items"]
    return items[0]


def same_transaction(view: dict[str, Any]) -> dict[str, Any]:
    """A transaction's content, without what a new record of it has new (id, timestamps)."""
    return {k: v for k, v in view.items() if k not in ("id", "created_at", "updated_at")}


# The list


async def test_an_empty_ledger_points_to_adding_an_account_first(client):
    page = await client.get("/transactions")
    assert page.status_code == 200
    assert 'href="/accounts/new"' in page.text
    assert 'id="quick-add"' not in page.text


async def test_the_page_lists_each_transaction_with_its_accounts_category_and_amount(
    client, ledger
):
    page = (await client.get("/transactions")).text
    assert row_ids(page) == [ledger["pay"], ledger["transfer"], ledger["shopping"]]
    shopping = page[page.index(f'id="transaction-{ledger["shopping"]}"') :]
    assert "Whole Foods" in shopping and "Food: Groceries" in shopping
    assert '<span class="amount negative">-$54.23</span>' in shopping
    assert "Checking → Savings" in page
    assert '<span class="amount">$3,000.00</span>' in page
    assert '<option value="Whole Foods">' in page and '<option value="ACME Corp">' in page
    assert input_value(page, "quick-add-date") == dt.date.today().isoformat()


async def test_a_subcategory_is_offered_under_its_own_name_in_its_parents_group(client, ledger):
    """Typing "Gro" in a select finds an option that starts with it: a child's option is its
    own name, grouped under its parent, not "Food: Groceries"."""
    await add_category(client, "Restaurants", parent_id=ledger["food"])
    page = (await client.get("/transactions")).text
    quick_add = page[page.index('id="quick-add-category_id"') :]
    quick_add = quick_add[: quick_add.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', quick_add, re.S)
    options = {label: re.findall(r">([^<]+)</option>", body) for label, body in groups}
    assert options == {
        "Expense": ["Household"],
        "Food": ["Food", "Groceries", "Restaurants"],
        "Income": ["Salary"],
    }
    assert [label for label, _body in groups] == ["Expense", "Food", "Income"]


async def test_a_ledger_without_transactions_invites_the_first_one(client):
    await add_account(client)
    page = (await client.get("/transactions")).text
    assert 'id="quick-add"' in page
    assert "No transactions yet" in page


async def test_a_filtered_url_shows_only_the_matching_rows_and_fills_the_filter_bar(client, ledger):
    page = (await client.get("/transactions?q=whole")).text
    assert row_ids(page) == [ledger["shopping"]]
    assert input_value(page, "filter-q") == "whole"

    by_parent = (await client.get(f"/transactions?category_id={ledger['food']}")).text
    assert row_ids(by_parent) == [ledger["shopping"]]
    assert selected(by_parent, "filter-category_id") == str(ledger["food"])

    cleared = (await client.get("/transactions?status=cleared")).text
    assert row_ids(cleared) == [ledger["pay"]]

    dated = (await client.get("/transactions?date_from=2026-10-02&date_to=2026-10-02")).text
    assert row_ids(dated) == [ledger["transfer"]]


async def test_filtering_by_an_account_shows_amounts_from_its_side(client, ledger):
    page = (await client.get(f"/transactions?account_id={ledger['savings']}")).text
    assert row_ids(page) == [ledger["transfer"]]
    assert '<span class="amount">$500.00</span>' in page
    into_checking = (await client.get(f"/transactions?account_id={ledger['checking']}")).text
    assert '<span class="amount negative">-$500.00</span>' in into_checking


async def test_a_transfer_reads_from_and_to_by_name_whichever_account_is_filtered(client, ledger):
    for account in ("savings", "checking"):
        page = (await client.get(f"/transactions?account_id={ledger[account]}")).text
        listed = page[page.index(f'id="transaction-{ledger["transfer"]}"') :]
        assert "Checking → Savings" in listed
        assert "Savings → Savings" not in page and "Checking → Checking" not in page


async def test_a_filter_with_no_match_says_so(client, ledger):
    page = (await client.get("/transactions?q=nothing-like-this")).text
    assert row_ids(page) == []
    assert "No transactions match these filters" in page


async def test_bad_filter_values_are_left_out_with_a_message_instead_of_an_error(client, ledger):
    page = await client.get("/transactions?date_from=2026-02-30&status=lost&colour=red&q=whole")
    assert page.status_code == 200
    assert "The from date filter “2026-02-30” was ignored" in page.text
    assert "The status filter “lost” was ignored" in page.text
    assert "Unknown filter “colour” ignored." in page.text
    assert row_ids(page.text) == [ledger["shopping"]]


async def test_search_finds_an_amount_typed_as_the_locale_writes_it(app, client, ledger):
    page = (await client.get("/transactions?q=54.23")).text
    assert row_ids(page) == [ledger["shopping"]]
    assert ">Payee, memo or amount</label>" in page

    in_locale(app, "de_DE")
    page = (await client.get("/transactions?q=54,23")).text
    assert row_ids(page) == [ledger["shopping"]]
    assert input_value(page, "filter-q") == "54,23"
    assert row_ids((await client.get("/transactions?q=3.000,00 $")).text) == [ledger["pay"]]
    assert row_ids((await client.get("/transactions?q=whole")).text) == [ledger["shopping"]]


async def test_the_filter_bar_has_an_amount_range_read_in_the_locale(app, client, ledger):
    page = (await client.get("/transactions?amount_min=-100&amount_max=0")).text
    assert row_ids(page) == [ledger["shopping"]]
    assert input_value(page, "filter-amount_min") == "-100"

    in_locale(app, "de_DE")
    query = "amount_min=-1.000,00&amount_max=-54,23"
    page = (await client.get(f"/transactions?{query}")).text
    assert row_ids(page) == [ledger["transfer"], ledger["shopping"]]
    assert input_value(page, "filter-amount_max") == "-54,23"
    exported = (await client.get(f"/exports/transactions?format=json&{query}")).json()
    assert [row["amount"] for row in exported] == ["-500.00", "500.00", "-54.23"]

    ignored = (await client.get("/transactions?amount_min=12.34")).text
    assert (
        "The lowest amount filter “12.34” was ignored: type an amount like 12,34 or 1.234,56."
    ) in ignored
    assert len(row_ids(ignored)) == 3


@pytest.mark.parametrize("cursor", ["not-a-cursor", "MjAyNi0wMS0wMXw5MjIzMzcyMDM2ODU0Nzc1ODA4"])
async def test_a_stale_page_link_shows_the_newest_with_a_message(client, ledger, cursor):
    page = await client.get(f"/transactions?cursor={cursor}")
    assert page.status_code == 200
    assert "That page link is out of date" in page.text
    assert row_ids(page.text) == [ledger["pay"], ledger["transfer"], ledger["shopping"]]


async def test_an_htmx_filter_request_gets_the_table_alone_and_the_url_to_show(client, ledger):
    response = await client.get(
        "/transactions?account_id=&q=whole&status=&date_from=", headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="quick-add"' not in response.text
    assert response.text.lstrip().startswith('<div id="transactions-table">')
    assert row_ids(response.text) == [ledger["shopping"]]
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["HX-Push-Url"] == "/transactions?q=whole"


async def test_htmx_restoring_history_gets_the_whole_page(client, ledger):
    headers = HTMX | {"HX-History-Restore-Request": "true"}
    response = await client.get("/transactions?q=whole", headers=headers)
    assert "<html" in response.text


async def test_load_more_continues_after_the_last_row_with_or_without_htmx(app, client, ledger):
    app.state.settings = app.state.settings.model_copy(update={"page_size_default": 2})
    page = (await client.get(f"/transactions?account_id={ledger['checking']}")).text
    assert row_ids(page) == [ledger["pay"], ledger["transfer"]]
    more = re.search(r'<a href="([^"]+)" hx-get="([^"]+)"[^>]*>Load more</a>', page)
    assert more is not None and more[1] == more[2]
    link = html.unescape(more[1])
    assert f"account_id={ledger['checking']}" in link and "cursor=" in link

    next_page = (await client.get(link)).text
    assert "<html" in next_page and row_ids(next_page) == [ledger["shopping"]]
    assert "Load more" not in next_page and "Back to the newest" in next_page

    rows = await client.get(link, headers=HTMX)
    assert rows.text.lstrip().startswith("<tr") and "<table" not in rows.text
    assert row_ids(rows.text) == [ledger["shopping"]]


# Quick add


async def test_quick_add_without_javascript_redirects_back_to_the_list_and_persists(client, ledger):
    response = await client.post("/transactions", data=form(ledger, **{"return": "q=shop"}))
    assert response.status_code == 303
    assert response.headers["location"] == "/transactions?q=shop"
    added = await newest(client)
    assert (added["date"], added["payee"], added["amount"]) == (
        "2026-10-04",
        "Corner Shop",
        "-54.23",
    )
    assert (added["account_id"], added["category_id"]) == (ledger["checking"], ledger["groceries"])


async def test_income_is_stored_positive(client, ledger):
    sent = form(ledger, kind="income", amount="120", category_id=str(ledger["salary"]))
    assert (await client.post("/transactions", data=sent)).status_code == 303
    assert (await newest(client))["amount"] == "120.00"


@pytest.mark.parametrize(
    ("kind", "typed", "booked"),
    [
        ("expense", "10", "-10.00"),
        ("expense", "-10", "-10.00"),
        ("income", "10", "10.00"),
        ("income", "-10", "10.00"),
    ],
)
async def test_the_type_gives_the_sign_whatever_sign_is_typed(client, ledger, kind, typed, booked):
    sent = form(ledger, kind=kind, amount=typed)
    assert (await client.post("/transactions", data=sent)).status_code == 303
    assert (await newest(client))["amount"] == booked


async def test_the_form_says_a_refund_is_an_income_into_an_expense_category(client, ledger):
    page = (await client.get("/transactions")).text
    assert "an expense of 10 or -10 spends 10" in page
    assert "A refund is an income into its expense category." in page

    refund = form(ledger, kind="income", amount="5.00", category_id=str(ledger["groceries"]))
    assert (await client.post("/transactions", data=refund)).status_code == 303
    added = await newest(client)
    assert (added["amount"], added["category_id"]) == ("5.00", ledger["groceries"])


def in_locale(app: Any, locale: str) -> None:
    """Pages from now on show and read money as `locale` writes it (FINANCE_LOCALE)."""
    app.state.settings = app.state.settings.model_copy(update={"locale": locale})


@pytest.mark.parametrize(
    ("locale", "typed", "booked"),
    [
        ("de_DE", "12,34", "-12.34"),
        ("de_DE", "1.234,56", "-1234.56"),
        ("de_DE", "1.234,56 $", "-1234.56"),
        ("de_DE", "-12,34", "-12.34"),
        ("en_US", "1,234.56", "-1234.56"),
        ("en_US", "$5", "-5.00"),
        ("en_US", "5 USD", "-5.00"),
        ("en_US", "usd 5", "-5.00"),
    ],
)
async def test_quick_add_reads_an_amount_as_the_locale_writes_it(
    app, client, ledger, locale, typed, booked
):
    in_locale(app, locale)
    assert (await client.post("/transactions", data=form(ledger, amount=typed))).status_code == 303
    assert (await newest(client))["amount"] == booked


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        ("de_DE", "12.34", "type an amount like 12,34 or 1.234,56"),
        ("de_DE", "1,234.56", "type an amount like 12,34 or 1.234,56"),
        ("en_US", "12,34", "type an amount like 12.34 or 1,234.56"),
        ("en_US", "1.234,56", "type an amount like 12.34 or 1,234.56"),
        ("en_US", "5 apples", "type an amount like 12.34 or 1,234.56"),
        ("en_US", "1e3", "type an amount like 12.34 or 1,234.56"),
    ],
)
async def test_an_amount_the_locale_would_not_write_is_refused_with_an_example_in_its_format(
    app, client, ledger, locale, typed, message
):
    in_locale(app, locale)
    response = await client.post("/transactions", data=form(ledger, amount=typed))
    assert response.status_code == 422
    assert f'<p class="error" id="quick-add-amount-error">{message}</p>' in response.text
    assert input_value(response.text, "quick-add-amount") == typed
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


async def test_a_currency_typed_beside_an_amount_must_be_the_accounts(client, ledger):
    for amount, line in (("5 €", ""), ("", "EUR 5")):
        sent = form(ledger, amount=amount, **{"splits.0.amount": line, "splits.1.amount": line})
        response = await client.post("/transactions", data=sent)
        assert response.status_code == 422
        assert "is not USD, this amount&#39;s currency: leave it out" in response.text
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


async def test_split_lines_and_their_total_are_read_in_the_locale(app, client, ledger):
    in_locale(app, "de_DE")
    lines = {
        "splits.0.category_id": str(ledger["groceries"]),
        "splits.0.amount": "1.030,00",
        "splits.1.category_id": str(ledger["household"]),
        "splits.1.amount": "12,50",
    }
    wrong = await client.post("/transactions", data=form(ledger, amount="1.040,00", **lines))
    assert "the split lines add up to 1.042,50; leave this empty" in wrong.text
    sent = form(ledger, amount="1.042,50 $", category_id="", **lines)
    assert (await client.post("/transactions", data=sent)).status_code == 303
    added = await newest(client)
    assert [line["amount"] for line in added["splits"]] == ["-1030.00", "-12.50"]


async def test_the_edit_form_shows_amounts_as_the_locale_writes_them_and_saves_them_back(
    app, client, ledger
):
    in_locale(app, "de_DE")
    big = await add_transaction(
        client, account_id=ledger["checking"], amount="-1234.50", category_id=ledger["household"]
    )
    page = await client.get(f"/transactions/{big['id']}/edit")
    assert input_value(page.text, f"edit-{big['id']}-amount") == "1.234,50"
    assert 'placeholder="0,00"' in page.text

    unchanged = form(ledger, amount="1.234,50", category_id=str(ledger["household"]))
    saved = await client.post(f"/transactions/{big['id']}", data=unchanged)
    assert saved.status_code == 303
    after = await get_json(client, f"{API}/transactions/{big['id']}")
    assert after["amount"] == "-1234.50"


async def test_quick_add_with_htmx_answers_a_fresh_form_and_the_table_with_the_new_row(
    client, ledger
):
    response = await client.post("/transactions", data=form(ledger), headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    added = await newest(client)
    fresh, _, extra = response.text.partition("</form>")
    assert '<div id="transactions-table" hx-swap-oob="true">' in extra
    assert row_ids(extra)[0] == added["id"] and len(row_ids(extra)) == 4  # newest first
    assert "Corner Shop" in extra
    assert input_value(fresh, "quick-add-payee") == ""
    assert input_value(fresh, "quick-add-amount") == ""
    assert input_value(fresh, "quick-add-date") == "2026-10-04"
    assert selected(fresh, "quick-add-account_id") == str(ledger["checking"])
    assert re.search(r'<input id="quick-add-date"[^>]* autofocus', fresh)
    assert "Added Corner Shop, -$54.23, Oct 4, 2026." in fresh


async def test_a_bad_amount_comes_back_with_422_the_input_kept_and_the_error_beside_it(
    client, ledger
):
    for headers in ({}, HTMX):
        sent = form(ledger, amount="12.3.4", payee="Corner Shop")
        response = await client.post("/transactions", data=sent, headers=headers)
        assert response.status_code == 422
        assert input_value(response.text, "quick-add-payee") == "Corner Shop"
        assert input_value(response.text, "quick-add-amount") == "12.3.4"
        assert re.search(
            r'<input id="quick-add-amount"[^>]*aria-describedby="quick-add-amount-error"'
            r"[^>]* autofocus",
            response.text,
        )
        assert '<p class="error" id="quick-add-amount-error">type an amount like 12.34' in (
            response.text
        )
        assert ("<html" in response.text) == (headers != HTMX)
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


async def test_too_many_decimals_and_a_missing_amount_are_refused_beside_the_amount(client, ledger):
    exact = await client.post("/transactions", data=form(ledger, amount="1.234"))
    assert exact.status_code == 422
    assert "USD amounts have at most 2 decimal places" in exact.text
    missing = await client.post("/transactions", data=form(ledger, amount=""))
    assert missing.status_code == 422 and 'id="quick-add-amount-error"' in missing.text


async def test_a_date_before_the_account_opened_is_refused_beside_the_date(client, ledger):
    response = await client.post("/transactions", data=form(ledger, date="2025-12-31"))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="quick-add-date-error">([^<]*)</p>', response.text)
    assert error is not None and "opening date" in error[1]


async def test_a_date_before_the_opening_date_links_to_the_accounts_edit_form(client, ledger):
    for headers in ({}, HTMX):
        response = await client.post(
            "/transactions", data=form(ledger, date="2025-12-31"), headers=headers
        )
        assert response.status_code == 422
        fix = re.search(r'<p class="notice opening-fix"[^>]*>(.*?)</p>', response.text)
        assert fix is not None
        assert (
            f'<a href="/accounts/{ledger["checking"]}/edit">Move its opening date back</a>'
            in (fix[1])
        )
        assert "Checking opens on Jan 1, 2026" in fix[1]


async def test_a_new_account_takes_last_months_purchase_from_the_form(client, ledger):
    await client.post("/accounts", data={"name": "Cash", "type": "cash", "currency": "USD"})
    cash = next(a for a in (await get_json(client, f"{API}/accounts")) if a["name"] == "Cash")
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=5)
    sent = form(ledger, date=str(last_month), account_id=str(cash["id"]))

    assert (await client.post("/transactions", data=sent)).status_code == 303

    assert (await get_json(client, f"{API}/accounts/{cash['id']}"))["balance"] == "-54.23"


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31"])
async def test_a_date_outside_the_years_1900_to_2199_is_refused_beside_the_date(
    client, ledger, day
):
    response = await client.post("/transactions", data=form(ledger, date=day))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="quick-add-date-error">([^<]*)</p>', response.text)
    assert error is not None and "in the years 1900 to 2199" in error[1]
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


async def test_a_transfer_from_the_form(client, ledger):
    sent = form(
        ledger, kind="transfer", amount="200", to_account_id=str(ledger["savings"]), payee=""
    )
    assert (await client.post("/transactions", data=sent)).status_code == 303
    added = await newest(client)
    assert added["type"] == "transfer"
    assert (added["from_account_id"], added["to_account_id"]) == (
        ledger["checking"],
        ledger["savings"],
    )
    assert added["amount"] == "200.00"


async def test_a_transfer_needs_another_account_said_beside_to_account(client, ledger):
    sent = form(ledger, kind="transfer", to_account_id=str(ledger["checking"]))
    response = await client.post("/transactions", data=sent)
    assert response.status_code == 422
    assert 'id="quick-add-to_account_id-error">a transfer needs two different accounts' in (
        response.text
    )
    sent = form(ledger, kind="transfer", to_account_id="")
    missing = await client.post("/transactions", data=sent)
    assert missing.status_code == 422 and 'id="quick-add-to_account_id-error"' in missing.text


async def add_euro_savings(client: AsyncClient) -> int:
    return int((await add_account(client, "Euro savings", type="savings", currency="EUR"))["id"])


def register_rows(page: str) -> str:
    return page.split('id="register-rows"')[1]


async def test_a_transfer_between_currencies_from_the_form_shows_each_side_in_its_currency(
    app, client, ledger
):
    in_locale(app, "de_DE")
    euros = await add_euro_savings(client)
    sent = form(
        ledger,
        kind="transfer",
        payee="Exchange",
        amount="100",
        to_account_id=str(euros),
        received_amount="92,00",
    )
    answer = await client.post("/transactions", data=sent)
    assert answer.status_code == 303
    added = await newest(client)
    assert (added["type"], added["amount"], added["currency"]) == ("transfer", "100.00", "USD")
    assert (added["received_amount"], added["exchange_rate"]) == ("92.00", "0.920000")

    savings = register_rows((await client.get(f"/accounts/{euros}")).text).split("</tr>")[0]
    assert '<span class="amount">92,00\xa0€</span>' in savings  # the EUR side, in euros
    assert "100,00\xa0$ sent, 92,00\xa0€ received, 1 USD = 0,92 EUR" in savings
    checking = register_rows((await client.get(f"/accounts/{ledger['checking']}")).text)
    exchange = checking[checking.index("Exchange") :].split("</tr>")[0]
    assert '<span class="amount negative">-100,00\xa0$</span>' in exchange
    listed = (await client.get("/transactions")).text
    assert "1 USD = 0,92 EUR" in listed


async def test_a_transfer_between_currencies_without_the_amount_received_is_refused_beside_it(
    client, ledger
):
    euros = await add_euro_savings(client)
    sent = form(ledger, kind="transfer", amount="100", to_account_id=str(euros))
    response = await client.post("/transactions", data=sent)
    assert response.status_code == 422
    assert (
        'id="quick-add-received_amount-error">a transfer from USD to EUR needs the amount received'
    ) in response.text
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


async def test_the_received_field_explains_when_it_is_needed(client, ledger):
    page = (await client.get("/transactions")).text
    assert "Received (only when the accounts&#39; currencies differ)" in page or (
        "Received (only when the accounts' currencies differ)" in page
    )
    assert input_value(page, "quick-add-received_amount") == ""


async def test_the_edit_form_round_trips_both_amounts_of_a_transfer_between_currencies(
    client, ledger
):
    euros = await add_euro_savings(client)
    moved = await add_transaction(
        client,
        from_account_id=ledger["checking"],
        to_account_id=euros,
        amount="100.00",
        received_amount="92.00",
    )
    page = (await client.get(f"/transactions/{moved['id']}/edit")).text
    form_id = f"edit-{moved['id']}"
    assert input_value(page, f"{form_id}-amount") == "100.00"
    assert input_value(page, f"{form_id}-received_amount") == "92.00"
    assert selected(page, f"{form_id}-to_account_id") == str(euros)

    changed = form(
        ledger,
        date="2026-10-03",
        kind="transfer",
        amount="100.00",
        to_account_id=str(euros),
        received_amount="93.50",
    )
    saved = await client.post(f"/transactions/{moved['id']}", data=changed)
    assert saved.status_code == 303
    after = await get_json(client, f"{API}/transactions/{moved['id']}")
    assert (after["amount"], after["received_amount"]) == ("100.00", "93.50")
    assert (await get_json(client, f"{API}/accounts/{euros}"))["balance"] == "93.50"


async def test_a_split_from_the_form_leaves_out_blank_lines(client, ledger):
    sent = form(
        ledger,
        amount="",
        category_id="",
        **{
            "splits.0.category_id": str(ledger["groceries"]),
            "splits.0.amount": "30",
            "splits.2.category_id": str(ledger["household"]),
            "splits.2.amount": "12.50",
            "splits.2.memo": "towels",
        },
    )
    assert (await client.post("/transactions", data=sent)).status_code == 303
    added = await newest(client)
    assert added["type"] == "split" and added["amount"] == "-42.50"
    assert added["splits"] == [
        {"category_id": ledger["groceries"], "amount": "-30.00", "memo": ""},
        {"category_id": ledger["household"], "amount": "-12.50", "memo": "towels"},
    ]


async def test_a_split_line_error_is_shown_on_the_line_it_was_typed_in(client, ledger):
    sent = form(
        ledger,
        amount="",
        **{
            "splits.0.category_id": str(ledger["groceries"]),
            "splits.0.amount": "30",
            "splits.2.category_id": str(ledger["household"]),
            "splits.2.amount": "1.234",
        },
    )
    response = await client.post("/transactions", data=sent)
    assert response.status_code == 422
    assert 'id="quick-add-splits-2-amount-error">USD amounts have at most 2' in response.text
    assert 'id="quick-add-splits-1-amount-error"' not in response.text
    assert '<details class="splits for-split" open>' in response.text


async def test_every_kind_of_split_line_error_names_the_line_it_is_on(client, ledger):
    """The lines typed are 1, 3 and 4 (blank 2 left out): an error on form line 3, whether
    the form, the schema or the service finds it, is shown on line 3, not on the API's line 2."""
    lines = {
        "splits.0.amount": "10",
        "splits.2.amount": "20",
        "splits.3.amount": "30",
    }
    for line_three, message in (
        ({"splits.2.amount": "twenty"}, "type an amount like 12.34"),
        ({"splits.2.memo": "x" * 201}, "at most 200 characters"),
        ({"splits.2.category_id": "999"}, "category 999 not found"),
    ):
        sent = form(ledger, amount="", **(lines | line_three))
        response = await client.post("/transactions", data=sent)
        assert response.status_code == 422
        field = next(iter(line_three)).replace(".", "-")
        error = re.search(rf'<p class="error" id="quick-add-{field}-error">([^<]*)', response.text)
        assert error is not None and message in error[1], (line_three, response.text[-3000:])


async def test_split_lines_must_add_up_to_an_amount_given_and_be_two_or_more(client, ledger):
    lines = {
        "splits.0.category_id": str(ledger["groceries"]),
        "splits.0.amount": "30",
        "splits.1.category_id": str(ledger["household"]),
        "splits.1.amount": "12.50",
    }
    response = await client.post("/transactions", data=form(ledger, amount="50", **lines))
    assert response.status_code == 422
    assert 'id="quick-add-amount-error">the split lines add up to 42.50' in response.text
    one = form(ledger, **{"splits.0.amount": "30"})
    single = await client.post("/transactions", data=one)
    assert single.status_code == 422 and "A split needs two lines or more" in single.text


async def test_another_split_line_comes_from_htmx_and_four_more_without_javascript(client, ledger):
    line = await client.get("/transactions/split-line?form=quick-add&index=4", headers=HTMX)
    assert line.status_code == 200 and "<html" not in line.text
    assert 'name="splits.4.amount"' in line.text and "splits.5" not in line.text
    assert re.search(r'<select id="quick-add-splits-4-category_id"[^>]* autofocus', line.text)
    assert 'hx-get="/transactions/split-line?form=quick-add&amp;index=5"' in line.text
    assert 'hx-swap-oob="true"' in line.text

    sent = form(ledger, more_lines="1", **{"splits.0.amount": "30"})
    page = await client.post("/transactions", data=sent)
    assert page.status_code == 200
    assert 'name="splits.7.amount"' in page.text and 'name="splits.8.amount"' not in page.text
    assert input_value(page.text, "quick-add-splits-0-amount") == "30"
    assert len((await get_json(client, f"{API}/transactions"))["items"]) == 3


# Edit


async def test_editing_without_javascript_opens_a_page_that_saves_back_to_the_list(client, ledger):
    shopping = ledger["shopping"]
    page = await client.get(f"/transactions/{shopping}/edit?q=whole")
    assert page.status_code == 200 and "<html" in page.text
    form_id = f"edit-{shopping}"
    assert input_value(page.text, f"{form_id}-amount") == "54.23"
    assert selected(page.text, f"{form_id}-kind") == "expense"
    assert selected(page.text, f"{form_id}-category_id") == str(ledger["groceries"])
    assert input_value(page.text, f"{form_id}-date") == "2026-10-01"
    assert 'name="return" value="q=whole"' in page.text

    changed = form(
        ledger,
        date="2026-10-01",
        payee="Whole Foods Market",
        amount="60.00",
        category_id=str(ledger["household"]),
        memo="weekly shop",
        status="cleared",
    )
    saved = await client.post(f"/transactions/{shopping}", data=changed | hidden_inputs(page.text))
    assert saved.status_code == 303 and saved.headers["location"] == "/transactions?q=whole"
    after = await get_json(client, f"{API}/transactions/{shopping}")
    assert (after["payee"], after["amount"], after["category_id"]) == (
        "Whole Foods Market",
        "-60.00",
        ledger["household"],
    )
    assert (after["memo"], after["status"]) == ("weekly shop", "cleared")


async def test_inline_edit_with_htmx_swaps_the_row_for_a_form_and_back(client, ledger):
    transfer = ledger["transfer"]
    edit = await client.get(f"/transactions/{transfer}/edit", headers=HTMX)
    assert "<html" not in edit.text
    assert edit.text.lstrip().startswith(f'<tr id="transaction-{transfer}" class="editing">')
    assert f'hx-post="/transactions/{transfer}" hx-target="closest tr"' in edit.text
    assert selected(edit.text, f"edit-{transfer}-kind") == "transfer"
    assert selected(edit.text, f"edit-{transfer}-to_account_id") == str(ledger["savings"])
    assert input_value(edit.text, f"edit-{transfer}-memo") == "monthly saving"

    changed = form(
        ledger,
        date="2026-10-02",
        payee="",
        amount="650",
        kind="transfer",
        category_id="",
        to_account_id=str(ledger["savings"]),
        memo="monthly saving",
        status="uncleared",
    )
    saved = await client.post(f"/transactions/{transfer}", data=changed, headers=HTMX)
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith(f'<tr id="transaction-{transfer}">')
    assert "$650.00" in saved.text and "autofocus" in saved.text
    assert (await get_json(client, f"{API}/transactions/{transfer}"))["amount"] == "650.00"

    cancel = await client.get(f"/transactions/{transfer}", headers=HTMX)
    assert cancel.text.lstrip().startswith(f'<tr id="transaction-{transfer}">')


async def test_a_refused_inline_edit_comes_back_as_the_form_with_422(client, ledger):
    shopping = ledger["shopping"]
    refused = form(ledger, date="2026-10-01", amount="lots")
    response = await client.post(f"/transactions/{shopping}", data=refused, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<tr id="transaction-{shopping}" class="editing">')
    assert f'id="edit-{shopping}-amount-error"' in response.text
    assert input_value(response.text, f"edit-{shopping}-amount") == "lots"
    assert (await get_json(client, f"{API}/transactions/{shopping}"))["amount"] == "-54.23"


async def test_an_edit_can_turn_a_purchase_into_a_split(client, ledger):
    shopping = ledger["shopping"]
    split = form(
        ledger,
        date="2026-10-01",
        **{
            "splits.0.category_id": str(ledger["groceries"]),
            "splits.0.amount": "50",
            "splits.1.category_id": str(ledger["household"]),
            "splits.1.amount": "4.23",
        },
    )
    assert (await client.post(f"/transactions/{shopping}", data=split)).status_code == 303
    after = await get_json(client, f"{API}/transactions/{shopping}")
    assert after["type"] == "split" and after["amount"] == "-54.23"
    assert [line["amount"] for line in after["splits"]] == ["-50.00", "-4.23"]


# Notices after a change without JavaScript


async def test_adding_without_javascript_says_what_was_added_once(client, ledger):
    added = await client.post("/transactions", data=form(ledger, **{"return": "q=shop"}))
    assert "finance_notice=" in added.headers["set-cookie"]

    page = await client.get(added.headers["location"])
    assert notice_on(page.text) == "Added Corner Shop, -$54.23, Oct 4, 2026"
    assert page.headers["cache-control"] == "no-store"

    reloaded = await client.get(added.headers["location"])
    assert notice_on(reloaded.text) is None


async def test_the_notice_speaks_the_pages_locale(app, client, ledger):
    in_locale(app, "de_DE")
    sent = form(ledger, amount="1.234,50", date="2026-10-04")
    page = await client.get((await client.post("/transactions", data=sent)).headers["location"])
    assert notice_on(page.text) == "Added Corner Shop, -1.234,50\xa0$, 04.10.2026"


async def test_saving_and_deleting_without_javascript_say_so_once(client, ledger):
    shopping = ledger["shopping"]
    changed = form(ledger, date="2026-10-01", payee="Whole Foods Market", amount="60.00")
    saved = await client.post(f"/transactions/{shopping}", data=changed)
    page = await client.get(saved.headers["location"])
    assert notice_on(page.text) == "Saved Whole Foods Market, -$60.00, Oct 1, 2026"
    assert notice_on((await client.get("/transactions")).text) is None

    deleted = await client.post(f"/transactions/{shopping}/delete", data={"return": ""})
    page = await client.get(deleted.headers["location"])
    assert notice_on(page.text) == "Deleted Whole Foods Market, -$60.00, Oct 1, 2026"
    assert notice_on((await client.get("/transactions")).text) is None


async def test_a_change_made_with_htmx_leaves_no_notice_for_the_next_page(client, ledger):
    added = await client.post("/transactions", data=form(ledger), headers=HTMX)
    assert added.status_code == 200 and "set-cookie" not in added.headers
    deleted = await client.post(f"/transactions/{ledger['pay']}/delete", headers=HTMX)
    assert deleted.status_code == 200 and "set-cookie" not in deleted.headers
    assert notice_on((await client.get("/transactions")).text) is None


async def test_a_fragment_for_htmx_leaves_a_waiting_notice_for_the_whole_page(client, ledger):
    added = await client.post("/transactions", data=form(ledger))
    rows = await client.get("/transactions?q=corner", headers=HTMX)
    assert notice_on(rows.text) is None and "set-cookie" not in rows.headers
    page = await client.get(added.headers["location"])
    assert notice_on(page.text) == "Added Corner Shop, -$54.23, Oct 4, 2026"


async def test_a_payee_that_looks_like_markup_is_shown_as_text(client, ledger):
    sent = form(ledger, payee="<script>alert(1)</script>")
    page = await client.get((await client.post("/transactions", data=sent)).headers["location"])
    assert notice_on(page.text) == (
        "Added &lt;script&gt;alert(1)&lt;/script&gt;, -$54.23, Oct 4, 2026"
    )
    assert "<script>alert(1)" not in page.text


# Delete and undo


async def test_delete_without_javascript_asks_first_then_goes_back_to_the_list(client, ledger):
    shopping = ledger["shopping"]
    confirm = await client.get(f"/transactions/{shopping}/delete?q=whole")
    assert confirm.status_code == 200
    assert "Delete <strong>Whole Foods, -$54.23, Oct 1, 2026</strong>?" in confirm.text
    assert f'<form method="post" action="/transactions/{shopping}/delete"' in confirm.text
    assert (await get_json(client, f"{API}/transactions/{shopping}"))["id"] == shopping

    deleted = await client.post(f"/transactions/{shopping}/delete", data={"return": "q=whole"})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/transactions?q=whole"
    assert (await client.get(f"{API}/transactions/{shopping}")).status_code == 404


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
@pytest.mark.parametrize("shape", ["simple", "transfer", "exchange", "split"])
async def test_undo_after_an_htmx_delete_restores_the_same_transaction(
    app, client, ledger, shape, locale
):
    in_locale(app, locale)
    euros = await add_euro_savings(client)
    made = {
        "simple": {
            "account_id": ledger["checking"],
            "amount": "-19.99",
            "category_id": ledger["household"],
            "payee": "Hardware & Co",
            "memo": 'a "quoted" memo',
            "status": "cleared",
        },
        "transfer": {
            "from_account_id": ledger["savings"],
            "to_account_id": ledger["checking"],
            "amount": "75.50",
            "memo": "back again",
        },
        "exchange": {
            "from_account_id": ledger["checking"],
            "to_account_id": euros,
            "amount": "1000.00",
            "received_amount": "921.37",
        },
        "split": {
            "account_id": ledger["checking"],
            "payee": "Target",
            "splits": [
                {"category_id": ledger["groceries"], "amount": "-30.00"},
                {"category_id": None, "amount": "-2.50", "memo": "gift wrap"},
                {"category_id": ledger["household"], "amount": "1005.00", "memo": "refund"},
            ],
        },
    }[shape]
    before = await add_transaction(client, date="2026-10-05", **made)

    deleted = await client.post(f"/transactions/{before['id']}/delete", headers=HTMX)
    assert deleted.status_code == 200 and "<html" not in deleted.text
    assert deleted.text.lstrip().startswith(f'<tr id="transaction-{before["id"]}" class="deleted"')
    assert "data-expires=" in deleted.text and ">Undo</button>" in deleted.text
    assert (await client.get(f"{API}/transactions/{before['id']}")).status_code == 404

    undone = await client.post("/transactions/undo", data=hidden_inputs(deleted.text), headers=HTMX)
    assert undone.status_code == 200
    (restored_id,) = row_ids(undone.text)
    restored = await get_json(client, f"{API}/transactions/{restored_id}")
    assert same_transaction(restored) == same_transaction(before)


async def test_a_reconciled_transaction_is_not_deleted_and_the_page_says_why(client, ledger):
    locked = await add_transaction(
        client,
        account_id=ledger["checking"],
        amount="-10.00",
        payee="Bank fee",
        status="reconciled",
    )
    refused = await client.post(f"/transactions/{locked['id']}/delete", headers=HTMX)
    assert refused.status_code == 409
    assert refused.text.lstrip().startswith(f'<tr id="transaction-{locked["id"]}">')
    assert 'role="alert">transaction' in refused.text and "is reconciled" in refused.text

    without_js = await client.post(f"/transactions/{locked['id']}/delete", data={"return": ""})
    assert without_js.status_code == 409
    assert "<html" in without_js.text and "is reconciled" in without_js.text
    assert (await get_json(client, f"{API}/transactions/{locked['id']}"))["id"] == locked["id"]


# Payees


async def test_a_known_payee_suggests_the_category_it_had_last(client, ledger):
    for day, category in (("2026-10-05", "groceries"), ("2026-10-06", "household")):
        await add_transaction(
            client,
            date=day,
            account_id=ledger["checking"],
            amount="-5.00",
            payee="Corner Shop",
            category_id=ledger[category],
        )
    url = "/transactions/payee-category?form=quick-add&kind=expense&category_id="
    suggestion = await client.get(f"{url}&payee=corner%20shop", headers=HTMX)
    assert suggestion.status_code == 200 and "<html" not in suggestion.text
    assert re.search(r'<select id="quick-add-category_id"[^>]*hx-swap-oob="true"', suggestion.text)
    assert selected(suggestion.text, "quick-add-category_id") == str(ledger["household"])
    assert selected(suggestion.text, "quick-add-kind") == "expense"

    income = await client.get(f"{url}&payee=ACME%20Corp", headers=HTMX)
    assert selected(income.text, "quick-add-kind") == "income"
    assert selected(income.text, "quick-add-category_id") == str(ledger["salary"])


async def test_no_suggestion_for_a_new_payee_or_over_a_category_already_chosen(client, ledger):
    url = "/transactions/payee-category?form=quick-add&kind=expense"
    new = await client.get(f"{url}&category_id=&payee=Somebody%20New", headers=HTMX)
    assert new.status_code == 204
    chosen = await client.get(f"{url}&category_id=4&payee=Whole%20Foods", headers=HTMX)
    assert chosen.status_code == 204


async def test_payees_of_another_owner_are_neither_listed_nor_suggested(client, db, ledger):
    """Someone else's ledger has a payee of its own, and bought at Whole Foods later than us."""
    other = await add_user(db, "someone-else@example.com")
    account = await accounts.create_account(
        db=db,
        owner_id=other.id,
        data=AccountCreate(
            name="Theirs", type="checking", currency="USD", opening_date=dt.date(2026, 1, 1)
        ),
    )
    secret = await categories.create_category(
        db=db, owner_id=other.id, data=CategoryCreate(name="Secrets", kind="expense")
    )
    for payee in ("Secret Payee", "Whole Foods"):
        await transactions.create_transaction(
            db=db,
            owner_id=other.id,
            data=SimpleTransactionCreate(
                account_id=account.account.id,
                date=dt.date(2026, 10, 9),
                amount="-1.00",
                payee=payee,
                category_id=secret.id,
            ),
        )
    page = (await client.get("/transactions")).text
    assert "Secret Payee" not in page and 'value="Whole Foods"' in page
    url = "/transactions/payee-category?form=quick-add&payee="
    assert (await client.get(f"{url}Secret%20Payee", headers=HTMX)).status_code == 204
    ours = await client.get(f"{url}Whole%20Foods", headers=HTMX)
    assert selected(ours.text, "quick-add-category_id") == str(ledger["groceries"])


async def test_a_quick_add_outside_the_filter_leaves_the_filtered_table_as_it_is(client, ledger):
    await client.post("/transactions", data={**form(ledger), "payee": "Bakery"})
    sent = {**form(ledger), "payee": "Corner Shop", "return": "q=bakery"}
    response = await client.post("/transactions", data=sent, headers=HTMX)
    _, _, table = response.text.partition("</form>")
    assert "Bakery" in table and "Corner Shop" not in table
