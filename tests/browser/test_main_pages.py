"""The main pages with a year of demo data: they render, read well (screenshots to look at),
fit a phone, and pass an accessibility scan."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Server, screenshot, serious_violations

pytestmark = pytest.mark.asyncio(loop_scope="session")

MAIN_PAGES = {
    "dashboard": "/",
    "accounts": "/accounts",
    "register": "/accounts/1",
    "transactions": "/transactions",
    "categories": "/categories",
    "new-category": "/categories/new",
    "imports": "/imports",
    "settings": "/settings",
}


async def load_demo(page: Page, server: Server) -> None:
    await page.goto(server)
    await page.get_by_role("button", name="Load the demo data").click()
    await expect(page.get_by_text("Net worth")).to_be_visible()


async def test_the_main_pages_with_demo_data_on_desktop(
    page: Page, server: Server, axe_file: Path
) -> None:
    await load_demo(page, server)
    await expect(page.get_by_role("link", name="Checking")).to_be_visible()
    for name, path in MAIN_PAGES.items():
        response = await page.goto(server + path)
        assert response is not None and response.ok, path
        await screenshot(page, f"{name}-desktop")
        assert await serious_violations(page, axe_file) == [], path


async def test_the_main_pages_fit_a_phone(phone: Page, server: Server) -> None:
    await load_demo(phone, server)
    for name, path in MAIN_PAGES.items():
        await phone.goto(server + path)
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
        overflow = await phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        await screenshot(phone, f"{name}-phone")


async def test_every_control_is_reachable_by_keyboard_with_a_visible_focus(
    page: Page, server: Server
) -> None:
    await load_demo(page, server)
    await page.goto(f"{server}/accounts")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Enter")
    for _ in range(6):
        await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    outline = await focused.evaluate("(e) => getComputedStyle(e).outlineStyle")
    assert outline != "none"


async def test_the_api_documentation_renders_from_this_server_alone(
    page: Page, server: Server
) -> None:
    """Swagger UI with no inline script and no other origin (the profile reaches nothing off
    this machine, and the page fixture fails on anything the security policy blocks)."""
    await page.goto(server + "/docs")
    await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    await expect(page.get_by_text("/api/v1/transactions/{transaction_id}").first).to_be_visible()
    await screenshot(page, "api-docs-desktop")


async def test_a_screenshot_leaves_the_page_as_it_was(page: Page, server: Server) -> None:
    """Nothing a test does to look at a page may change it: an attribute left behind would be
    copied by htmx into the next swap and refused by the Content-Security-Policy."""
    await page.goto(f"{server}/transactions")
    await screenshot(page, "transactions-before-any-change")
    styled = await page.evaluate("document.querySelectorAll('[style]').length")
    assert styled == 0
