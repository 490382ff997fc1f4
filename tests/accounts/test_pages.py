"""Account pages: the list, the forms (with and without htmx) and the register."""

import datetime as dt

from tests.api import API, add_account, add_transaction
from tests.users import notice_on

HTMX = {"HX-Request": "true"}

FORM = {
    "type": "checking",
    "currency": "USD",
    "opening_balance": "100.00",
    "opening_date": "2026-01-01",
}


async def test_the_list_separates_assets_from_liabilities_and_hides_archived(client):
    await add_account(client, "Checking", opening_balance="10.00")
    await add_account(client, "Visa", type="credit_card", opening_balance="-5.00")
    old = await add_account(client, "Old savings", type="savings")
    await client.patch(f"{API}/accounts/{old['id']}", json={"archived": True})
    page = (await client.get("/accounts")).text
    assets, liabilities = page.split("<h2>Assets</h2>")[1].split("<h2>Liabilities</h2>")
    assert "Checking" in assets and "Visa" not in assets
    assert "Visa" in liabilities and "-$5.00" not in liabilities  # what is owed reads positive
    assert '<th scope="col" class="num">Owed</th>' in liabilities
    assert '<span class="amount">$5.00</span>' in liabilities
    assert "Old savings" not in page
    assert "Show 1 archived" in page
    assert "Old savings" in (await client.get("/accounts?archived=true")).text


async def test_creating_an_account_without_javascript_redirects_to_its_register(client):
    response = await client.post("/accounts", data={"name": "Checking", **FORM})
    assert response.status_code == 303
    register = await client.get(response.headers["location"])
    assert "Checking" in register.text and "$100.00" in register.text


async def test_a_refused_form_comes_back_with_422_the_input_kept_and_the_reason_beside_it(client):
    response = await client.post(
        "/accounts", data={**FORM, "name": "Wallet", "opening_balance": "1.005"}
    )
    assert response.status_code == 422
    assert 'value="Wallet"' in response.text
    assert 'id="opening_balance-error"' in response.text
    assert "at most 2 decimal places" in response.text
    assert (await client.get(f"{API}/accounts")).json() == []


async def test_an_htmx_form_error_swaps_only_the_form(client):
    response = await client.post(
        "/accounts", data={**FORM, "name": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "<html" not in response.text
    assert response.headers["vary"] == "HX-Request"


async def test_a_duplicate_name_is_explained_on_the_form(client):
    await add_account(client, "Checking")
    response = await client.post("/accounts", data={"name": "checking", **FORM})
    assert response.status_code == 422
    assert "already exists" in response.text


async def test_the_form_reads_the_opening_balance_as_the_locale_writes_it_and_any_currency_case(
    app, client
):
    app.state.settings = app.state.settings.model_copy(update={"locale": "de_DE"})
    sent = {**FORM, "name": "Girokonto", "currency": "eur", "opening_balance": "1.234,56 €"}
    assert (await client.post("/accounts", data=sent)).status_code == 303
    (account,) = (await client.get(f"{API}/accounts")).json()
    assert (account["currency"], account["opening_balance"]) == ("EUR", "1234.56")

    edit = await client.get(f"/accounts/{account['id']}/edit")
    assert 'value="1.234,56"' in edit.text
    again = {**sent, "opening_balance": "1.234,56"}
    assert (await client.post(f"/accounts/{account['id']}", data=again)).status_code == 303
    assert (await client.get(f"{API}/accounts")).json()[0]["opening_balance"] == "1234.56"

    refused = await client.post(
        "/accounts", data={**sent, "name": "Sparbuch", "opening_balance": "12.34"}
    )
    assert refused.status_code == 422
    assert 'id="opening_balance-error">type an amount like 12,34 or 1.234,56' in refused.text
    assert len((await client.get(f"{API}/accounts")).json()) == 1


async def test_a_currency_typed_beside_the_opening_balance_must_be_the_accounts(client):
    refused = await client.post(
        "/accounts", data={**FORM, "name": "Wallet", "opening_balance": "100 €"}
    )
    assert refused.status_code == 422
    assert 'id="opening_balance-error">€ is not USD, this amount&#39;s currency' in refused.text
    assert (await client.get(f"{API}/accounts")).json() == []


async def test_editing_and_archiving_without_javascript(client):
    account = await add_account(client, "Checking", note="old note")
    edit = await client.get(f"/accounts/{account['id']}/edit")
    assert 'value="old note"' in edit.text
    saved = await client.post(
        f"/accounts/{account['id']}", data={"name": "Joint", **FORM, "note": ""}
    )
    assert saved.status_code == 303
    changed = (await client.get(f"{API}/accounts/{account['id']}")).json()
    assert (changed["name"], changed["note"], changed["opening_balance"]) == ("Joint", "", "100.00")
    assert (await client.post(f"/accounts/{account['id']}/archive")).status_code == 303
    assert (await client.get(f"{API}/accounts/{account['id']}")).json()["archived"] is True


async def test_the_register_shows_a_running_balance_newest_first(client):
    account = await add_account(client, "Checking", opening_balance="100.00")
    for day, amount in (("2026-10-01", "-10.00"), ("2026-10-02", "25.50"), ("2026-10-03", "-0.50")):
        await add_transaction(client, date=day, account_id=account["id"], amount=amount)
    page = (await client.get(f"/accounts/{account['id']}")).text
    rows = page.split('id="register-rows"')[1]
    balances = [rows.index(text) for text in ("$115.00", "$115.50", "$90.00")]
    assert balances == sorted(balances)
    assert ">Uncleared</td>" in rows and ">uncleared<" not in rows  # as the list writes it


async def test_the_register_loads_more_as_a_fragment_for_htmx(client):
    account = await add_account(client, "Checking")
    for index in range(55):
        await add_transaction(client, account_id=account["id"], amount="-1.00", payee=f"p{index}")
    page = (await client.get(f"/accounts/{account['id']}")).text
    assert "Load more" in page
    next_url = page.split('hx-get="')[1].split('"')[0]
    fragment = await client.get(next_url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and fragment.text.count("<tr") == 5
    assert "Load more" not in fragment.text
    assert "$-55.00" not in fragment.text and "-$55.00" in page


async def test_a_missing_account_page_is_404(client):
    assert (await client.get("/accounts/999")).status_code == 404


async def test_an_htmx_form_that_succeeds_is_told_where_to_go_not_given_the_next_page(client):
    response = await client.post(
        "/accounts", data={"name": "Checking", **FORM}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["hx-redirect"].startswith("/accounts/")
    assert response.text == ""


async def test_a_missing_page_is_a_page_for_a_browser_and_problem_details_for_scripts(client):
    browser = await client.get("/accounts/999", headers={"Accept": "text/html"})
    assert browser.status_code == 404
    assert "text/html" in browser.headers["content-type"]
    assert "There is nothing here" in browser.text
    api = await client.get(f"{API}/accounts/999", headers={"Accept": "text/html"})
    assert api.headers["content-type"] == "application/problem+json"


async def test_htmx_restoring_a_page_from_history_gets_the_whole_page(client):
    account = await add_account(client, "Checking")
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = await client.get(f"/accounts/{account['id']}", headers=headers)
    assert "<html" in response.text


async def test_an_out_of_date_load_more_link_shows_the_newest_rows_with_a_note(client):
    account = await add_account(client, "Checking")
    await add_transaction(client, account_id=account["id"], amount="-1.00", payee="Bakery")
    response = await client.get(f"/accounts/{account['id']}?cursor=garbage")
    assert response.status_code == 200
    assert "out of date" in response.text and "Bakery" in response.text


async def test_a_credit_card_is_opened_with_the_amount_owed_and_net_worth_falls_by_it(client):
    await client.post("/accounts", data={**FORM, "name": "Checking", "opening_balance": "1250"})
    form = (await client.get("/accounts/new")).text
    assert "Amount owed" in form and "For a credit card or a loan, the amount owed" in form
    card_form = {**FORM, "name": "Visa", "type": "credit_card", "opening_balance": "320.50"}

    assert (await client.post("/accounts", data=card_form)).status_code == 303

    card = next(a for a in (await client.get(f"{API}/accounts")).json() if a["name"] == "Visa")
    assert card["balance"] == "-320.50"  # the ledger's sign: owed is negative
    dashboard = (await client.get("/")).text
    assert "$929.50" in dashboard  # net worth: 1,250 - 320.50
    liabilities = dashboard.split("<h2>Liabilities</h2>")[1]
    assert '<th scope="col" class="num">Owed</th>' in liabilities
    assert '<span class="amount">$320.50</span>' in liabilities
    edit = (await client.get(f"/accounts/{card['id']}/edit")).text
    assert 'value="320.50"' in edit  # asked again as the amount owed


async def test_purchases_raise_what_a_card_owes_and_a_payment_lowers_it_on_the_pages(client):
    checking = await add_account(client, "Checking", opening_balance="1250.00")
    await client.post(
        "/accounts",
        data={**FORM, "name": "Visa", "type": "credit_card", "opening_balance": "320.50"},
    )
    card = next(a for a in (await client.get(f"{API}/accounts")).json() if a["name"] == "Visa")
    await add_transaction(client, account_id=card["id"], amount="-23.40", payee="Cafe")
    owed = (await client.get("/accounts")).text.split("<h2>Liabilities</h2>")[1]
    assert '<span class="amount">$343.90</span>' in owed
    await add_transaction(
        client, from_account_id=checking["id"], to_account_id=card["id"], amount="200.00"
    )
    page = (await client.get("/accounts")).text
    assert '<span class="amount">$143.90</span>' in page.split("<h2>Liabilities</h2>")[1]
    assert "$906.10" in (await client.get("/")).text  # 1,050 - 143.90
    register = (await client.get(f"/accounts/{card['id']}")).text
    assert "Owed today" in register and "$143.90" in register


async def test_an_account_opened_without_a_date_keeps_none_and_clearing_the_date_removes_it(
    client,
):
    response = await client.post("/accounts", data={**FORM, "name": "Checking", "opening_date": ""})
    assert response.status_code == 303
    account = (await client.get(f"{API}/accounts")).json()[0]
    assert account["opening_date"] is None
    register = (await client.get(f"/accounts/{account['id']}")).text
    assert "before the first transaction" in register
    await client.patch(f"{API}/accounts/{account['id']}", json={"opening_date": "2026-06-01"})
    saved = await client.post(
        f"/accounts/{account['id']}", data={**FORM, "name": "Checking", "opening_date": ""}
    )
    assert saved.status_code == 303
    assert (await client.get(f"{API}/accounts/{account['id']}")).json()["opening_date"] is None


async def test_a_balance_is_shown_as_of_today_with_the_projected_one_beside_it(client):
    today = dt.date.today()
    account = await add_account(client, "Checking", opening_balance="100.00")
    await add_transaction(client, account_id=account["id"], amount="-10.00", date=str(today))
    later = str(today + dt.timedelta(days=3))
    await add_transaction(client, account_id=account["id"], amount="-25.00", date=later)
    for url in ("/accounts", "/", f"/accounts/{account['id']}"):
        page = (await client.get(url)).text
        assert '<span class="amount">$90.00</span>' in page, url
        assert "$65.00 projected" in page, url


async def test_an_opening_date_outside_the_years_1900_to_2199_is_refused_beside_it(client):
    response = await client.post(
        "/accounts", data={**FORM, "name": "Checking", "opening_date": "9999-12-31"}
    )
    assert response.status_code == 422
    assert 'id="opening_date-error">must be a date in the years 1900 to 2199' in response.text
    assert (await client.get(f"{API}/accounts")).json() == []


async def test_each_change_without_javascript_is_confirmed_on_the_next_page_once(client):
    created = await client.post("/accounts", data={"name": "Checking", **FORM})
    register = await client.get(created.headers["location"])
    assert notice_on(register.text) == "Added Checking"
    assert notice_on((await client.get(created.headers["location"])).text) is None

    saved = await client.post(created.headers["location"], data={"name": "Main", **FORM})
    assert notice_on((await client.get(saved.headers["location"])).text) == "Saved Main"

    archived = await client.post(f"{created.headers['location']}/archive")
    assert notice_on((await client.get(archived.headers["location"])).text) == "Archived Main"
    assert notice_on((await client.get("/accounts")).text) is None


async def test_an_htmx_form_that_succeeds_takes_its_notice_to_the_page_it_goes_to(client):
    created = await client.post("/accounts", data={"name": "Checking", **FORM}, headers=HTMX)
    assert created.status_code == 204 and "HX-Redirect" in created.headers
    page = await client.get(created.headers["HX-Redirect"])
    assert notice_on(page.text) == "Added Checking"
