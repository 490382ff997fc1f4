"""A new user's first minutes in a real browser: the starter categories in one click, and the
demo data loaded, then removed in one confirmed step, on desktop and on a phone."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Server, screenshot, serious_violations

pytestmark = pytest.mark.asyncio(loop_scope="session")


def width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


async def fits_the_screen(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


async def test_a_new_ledger_gets_its_starter_categories_in_one_click(
    any_screen: Page, server: Server, axe_file: Path
) -> None:
    page = any_screen
    await page.goto(server)
    offer = page.get_by_role("region", name="Start with common categories?")
    await expect(offer).to_be_visible()
    await fits_the_screen(page)
    assert await serious_violations(page, axe_file) == []
    await screenshot(page, f"onboarding-{width(page)}px")
    await offer.get_by_role("button", name="Add the starter categories").click()
    await expect(page).to_have_url(f"{server}/categories")
    await expect(page.get_by_text("Groceries")).to_be_visible()
    await expect(page.get_by_text("Salary")).to_be_visible()
    await page.goto(server)
    await expect(offer).to_have_count(0)


async def test_the_demo_data_goes_in_one_confirmed_step(
    any_screen: Page, server: Server, axe_file: Path
) -> None:
    page = any_screen
    await page.goto(server)
    await page.get_by_role("button", name="Load the demo data").click()
    await expect(page.get_by_text("Net worth")).to_be_visible()
    await page.get_by_role("link", name="Remove the demo data").click()
    await expect(page.get_by_role("heading", name="Remove the demo data?")).to_be_visible()
    await fits_the_screen(page)
    assert await serious_violations(page, axe_file) == []
    await screenshot(page, f"remove-demo-{width(page)}px")
    await page.get_by_role("button", name="Remove the demo data").click()
    await expect(page).to_have_url(f"{server}/")
    await expect(page.get_by_role("button", name="Load the demo data")).to_be_visible()
    await page.goto(f"{server}/transactions")
    await expect(page.locator("#transaction-rows tr[id^=transaction-]")).to_have_count(0)
