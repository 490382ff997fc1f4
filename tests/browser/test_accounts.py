"""In a real browser: the first run, adding an account, the register, on desktop and phone."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Server, screenshot, serious_violations

pytestmark = pytest.mark.asyncio(loop_scope="session")


def add_account(server: Server, name: str, **fields: str) -> int:
    payload = {"name": name, "type": "checking", "currency": "USD", "opening_date": "2026-01-01"}
    response = httpx.post(
        f"{server}/api/v1/accounts", json={**payload, **fields}, headers=server.auth
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_first_run_leads_to_adding_an_account(page: Page, server: Server) -> None:
    await page.goto(server)
    await expect(
        page.get_by_role("heading", name="Welcome! Let's start with an account.")
    ).to_be_visible()
    await screenshot(page, "dashboard-first-run")
    await page.get_by_role("link", name="Add your first account").click()
    await page.get_by_label("Name").fill("Checking")
    await page.get_by_label("Opening balance").fill("1250.00")
    await page.get_by_label("Opening date").fill("2026-01-01")
    await page.get_by_role("button", name="Add account").click()
    await expect(page.get_by_role("heading", name="Checking")).to_be_visible()
    await expect(page.get_by_text("$1,250.00").first).to_be_visible()


async def test_a_new_user_adds_a_credit_card_with_the_amount_owed_and_sees_net_worth_fall(
    page: Page, server: Server
) -> None:
    add_account(server, "Checking", opening_balance="1250.00")
    await page.goto(server)
    net_worth = page.locator(".stat", has_text="Net worth")
    await expect(net_worth).to_contain_text("$1,250.00")
    await page.goto(f"{server}/accounts/new")
    await page.get_by_label("Name").fill("Visa")
    await page.get_by_label("Type").select_option("credit_card")
    await page.get_by_label("Amount owed").fill("320.50")  # the label follows the type
    await page.get_by_role("button", name="Add account").click()
    await expect(page.get_by_role("heading", name="Visa")).to_be_visible()
    await expect(page.locator(".stat", has_text="Owed today")).to_contain_text("$320.50")
    await page.goto(server)
    await expect(net_worth).to_contain_text("$929.50")  # 1,250 - 320.50
    liabilities = page.locator("table", has=page.get_by_role("columnheader", name="Owed"))
    await expect(liabilities).to_contain_text("$320.50")
    await screenshot(page, "dashboard-with-a-credit-card")


async def test_a_form_error_appears_beside_the_field_without_a_reload(
    page: Page, server: Server
) -> None:
    await page.goto(f"{server}/accounts/new")
    await page.evaluate("window.notReloaded = true")
    await page.get_by_label("Name").fill("Wallet")
    await page.get_by_label("Opening balance").fill("1.005")
    await page.get_by_role("button", name="Add account").click()
    await expect(page.locator("#opening_balance-error")).to_contain_text("at most 2 decimal places")
    await expect(page.get_by_label("Opening balance")).to_be_focused()  # on the field at fault
    assert await page.evaluate("window.notReloaded") is True  # htmx swapped the form only
    await expect(page.get_by_label("Name")).to_have_value("Wallet")


async def test_the_register_loads_more_rows_in_place(page: Page, server: Server) -> None:
    account = add_account(server, "Checking", opening_balance="100.00")
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        for index in range(60):
            (
                await client.post(
                    "/api/v1/transactions",
                    json={
                        "account_id": account,
                        "date": "2026-10-01",
                        "amount": "-1.00",
                        "payee": f"Shop {index}",
                    },
                )
            ).raise_for_status()
    await page.goto(f"{server}/accounts/{account}")
    rows = page.locator("#register-rows tr")
    await expect(rows).to_have_count(51)  # 50 and the "Load more" row
    await page.get_by_role("link", name="Load more").click()
    await expect(rows).to_have_count(60)
    assert page.url.endswith(f"/accounts/{account}")
    await expect(rows.last).to_contain_text(
        "$99.00"
    )  # the running balance after the first purchase
    await screenshot(page, "account-register")


async def test_accounts_fit_a_phone_screen(phone: Page, server: Server) -> None:
    add_account(server, "Everyday checking", opening_balance="1250.00")
    add_account(server, "Visa", type="credit_card", opening_balance="-320.10")
    await phone.goto(f"{server}/accounts")
    await expect(phone.get_by_role("heading", name="Liabilities")).to_be_visible()
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await screenshot(phone, "accounts-phone")


async def test_pages_have_no_serious_accessibility_problems(
    page: Page, server: Server, axe_file
) -> None:
    for path in ("/", "/accounts", "/accounts/new"):
        await page.goto(server + path)
        assert await serious_violations(page, axe_file) == [], path
    add_account(server, "Checking", opening_balance="10.00")
    for path in ("/", "/accounts", "/accounts/1", "/accounts/1/edit"):
        await page.goto(server + path)
        assert await serious_violations(page, axe_file) == [], path
