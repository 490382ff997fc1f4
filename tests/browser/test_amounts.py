"""In a real browser under FINANCE_LOCALE=de_DE: amounts typed the German way are booked as
typed, and one typed the English way is refused with an example in the German format."""

from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Server, screenshot, unfold
from tests.browser.test_transactions import ledger, rows

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server started after this (`server`, `page`) shows and reads money as de_DE does."""
    monkeypatch.setenv("FINANCE_LOCALE", "de_DE")


async def test_an_amount_typed_the_german_way_is_booked_as_typed(
    german: None, page: Page, server: Server
) -> None:
    ids = await ledger(server)
    await page.goto(f"{server}/transactions")
    await unfold(page)
    form = page.locator("#quick-add")
    await expect(form.get_by_label("Amount", exact=True)).to_have_attribute("placeholder", "0,00")

    await form.get_by_label("Payee", exact=True).fill("Bäckerei")
    await form.get_by_label("Amount", exact=True).fill("12.34")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator("#quick-add-amount-error")).to_have_text(
        "type an amount like 12,34 or 1.234,56"
    )

    await form.get_by_label("Amount", exact=True).fill("12,34")
    await form.get_by_label("Category", exact=True).select_option(label="Groceries")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(form.get_by_role("status")).to_contain_text("Bäckerei, -12,34\xa0$")
    (row,) = await rows(page)
    assert "-12,34\xa0$" in row

    await page.locator("#filters").get_by_label("Payee, memo or amount").fill("12,34")
    await expect(page.locator("#transaction-rows tr[id^=transaction-]")).to_have_count(1)
    await screenshot(page, "transactions-de_DE-typed-amount")
    booked = [(t["payee"], t["amount"], t["category_id"]) for t in await transactions(server)]
    assert booked == [("Bäckerei", "-12.34", ids["groceries"])]


async def transactions(server: Server) -> list[dict[str, Any]]:
    """The test user's transactions, as the API lists them."""
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        response = await client.get("/api/v1/transactions")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
