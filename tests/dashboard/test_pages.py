"""The dashboard page: first-run state, figures, and htmx-free operation."""

from datetime import date, timedelta

from tests.api import API, add_account, add_category, add_transaction, get_json


async def test_an_empty_ledger_invites_the_first_account_and_offers_demo_data(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "Add your first account" in response.text
    assert 'action="/demo"' in response.text


async def test_loading_the_demo_data_fills_an_empty_ledger_once(client):
    response = await client.post("/demo")
    assert response.status_code == 303
    accounts = (await client.get("/api/v1/accounts")).json()
    assert [a["name"] for a in accounts] == ["Checking", "Savings", "Visa card", "Wallet"]
    await client.post("/demo")
    assert len((await client.get("/api/v1/accounts")).json()) == 4


async def test_the_demo_button_says_what_it_adds_and_that_it_can_be_removed(client):
    page = (await client.get("/")).text
    assert "adds a year of example accounts, categories and transactions to your ledger" in page
    assert "you can remove them all later in one step" in page
    assert 'href="/demo/remove"' not in page


async def test_a_new_ledger_is_offered_the_starter_categories_until_dismissed(client):
    page = (await client.get("/")).text
    assert 'action="/categories/starter-set"' in page
    assert 'action="/categories/starter-set/dismiss"' in page

    response = await client.post("/categories/starter-set/dismiss")

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "finance_starter_dismissed" in response.headers["set-cookie"]
    assert 'action="/categories/starter-set"' not in (await client.get("/")).text
    assert await get_json(client, f"{API}/categories") == []


async def test_the_starter_offer_leaves_the_dashboard_once_there_are_categories(client):
    assert 'action="/categories/starter-set"' in (await client.get("/")).text
    await add_category(client, "Food")
    assert 'action="/categories/starter-set"' not in (await client.get("/")).text


async def test_the_demo_data_is_removed_after_a_confirmation_page(client):
    await client.post("/demo")
    assert 'href="/demo/remove"' in (await client.get("/")).text

    confirmation = await client.get("/demo/remove")
    assert confirmation.status_code == 200
    assert 'action="/demo/remove"' in confirmation.text
    assert "4 demo accounts and 26 demo categories" in confirmation.text

    response = await client.post("/demo/remove")

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert await get_json(client, f"{API}/accounts") == []
    assert await get_json(client, f"{API}/categories") == []
    assert (await get_json(client, f"{API}/transactions"))["items"] == []
    page = (await client.get("/")).text
    assert 'href="/demo/remove"' not in page and "Add your first account" in page


async def test_removing_the_demo_data_names_the_own_transactions_in_the_way(client):
    await client.post("/demo")
    accounts = await get_json(client, f"{API}/accounts")
    checking = next(a for a in accounts if a["name"] == "Checking")
    await add_transaction(client, account_id=checking["id"], amount="-3.00", payee="My bakery")

    confirmation = (await client.get("/demo/remove")).text
    assert "1 of your own transactions" in confirmation and "My bakery" in confirmation
    assert "Remove the demo data</button>" not in confirmation

    response = await client.post("/demo/remove")

    assert response.status_code == 422
    assert "change it first" in response.text and "My bakery" in response.text
    assert len(await get_json(client, f"{API}/accounts")) == 4


async def test_the_dashboard_shows_net_worth_month_figures_and_latest_transactions(client):
    today = date.today().isoformat()
    checking = await add_account(client, "Checking", opening_balance="1000.00")
    card = await add_account(client, "Card", type="credit_card", opening_balance="-200.00")
    salary = await add_category(client, "Salary", kind="income")
    food = await add_category(client, "Food")
    await add_transaction(
        client, date=today, account_id=checking["id"], amount="2500.00", category_id=salary["id"]
    )
    await add_transaction(
        client,
        date=today,
        account_id=card["id"],
        amount="-54.23",
        payee="Whole Foods",
        category_id=food["id"],
    )
    page = (await client.get("/")).text
    assert "$3,245.77" in page  # 1000 + 2500 - 200 - 54.23
    assert "$2,500.00" in page  # income this month
    assert "-$54.23" in page  # spending this month, and the latest transaction
    assert "Whole Foods" in page
    assert 'aria-current="page"' in page


async def test_money_follows_the_locale_setting(app, client):
    await add_account(client, "Girokonto", currency="EUR", opening_balance="-1234.50")
    app.state.settings = app.state.settings.model_copy(update={"locale": "de_DE"})
    page = (await client.get("/")).text
    assert "-1.234,50\xa0€" in page


async def test_spending_is_this_month_to_date_and_net_worth_is_as_of_today(client):
    today = date.today()
    checking = await add_account(client, "Checking", opening_balance="1000.00")
    food = await add_category(client, "Food")
    for day, amount in ((today, "-40.00"), (today + timedelta(days=2), "-300.00")):
        await add_transaction(
            client, date=str(day), account_id=checking["id"], amount=amount, category_id=food["id"]
        )
    page = (await client.get("/")).text
    assert "Spending this month to date" in page
    assert "-$40.00" in page and "-$340.00" not in page and "-$300.00" not in page
    assert '<div class="value"><span class="amount">$960.00</span></div>' in page  # net worth
    assert "$660.00 projected" in page


async def test_a_transfer_between_currencies_is_neither_income_nor_spending(client):
    today = date.today().isoformat()
    checking = await add_account(client, "Checking", opening_balance="1000.00")
    euros = await add_account(client, "Euro savings", type="savings", currency="EUR")
    salary = await add_category(client, "Salary", kind="income")
    food = await add_category(client, "Food")
    await add_transaction(
        client, date=today, account_id=checking["id"], amount="2500.00", category_id=salary["id"]
    )
    await add_transaction(
        client, date=today, account_id=checking["id"], amount="-54.23", category_id=food["id"]
    )
    await add_transaction(
        client,
        date=today,
        from_account_id=checking["id"],
        to_account_id=euros["id"],
        amount="100.00",
        received_amount="92.00",
    )
    page = (await client.get("/")).text
    income = page.split("Income this month to date")[1].split("Spending this month")[0]
    spending = page.split("Spending this month to date")[1].split('class="muted period"')[0]
    assert "$2,500.00" in income and "€" not in income and "$2,600.00" not in income
    assert "$54.23" in spending and "€" not in spending and "$154.23" not in spending
    assert "$3,345.77" in page  # net worth in USD: 1000 + 2500 - 54.23 - 100
    assert "€92.00" in page  # and in EUR
