"""In a real browser: the first run's setup page, logging in and out, a wrong password, access
tokens on the settings page, the pages' accessibility and looks, and all of it without
JavaScript where it is a plain form."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, ViewportSize, expect

from tests.browser.conftest import (
    PHONE,
    TEST_EMAIL,
    TEST_PASSWORD,
    Server,
    screenshot,
    serious_violations,
    submit_login,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "a-quiet-ledger-by-the-sea"


async def expect_login_page(page: Page, url: str) -> None:
    """The login page is what the browser shows, at this address, and nobody is logged in."""
    await expect(page).to_have_url(url)
    await expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    await expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


async def test_first_run_sets_up_the_owner_who_can_log_out_and_back_in(
    anonymous_page: Page, first_run_server: str
) -> None:
    page, server = anonymous_page, first_run_server
    await page.goto(server)
    await expect(page).to_have_url(f"{server}/signup")
    await expect(
        page.get_by_role("heading", name="Welcome: create your account", exact=True)
    ).to_be_visible()
    await page.get_by_label("Email", exact=True).fill(OWNER_EMAIL)
    await page.get_by_label("Password (at least 12 characters)").fill(OWNER_PASSWORD)
    await page.get_by_label("Password again", exact=True).fill(OWNER_PASSWORD)
    await page.get_by_role("button", name="Create account").click()

    await expect(page).to_have_url(f"{server}/")  # logged in at once, on the dashboard
    await expect(
        page.get_by_role("heading", name="Welcome! Let's start with an account.")
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()
    await page.get_by_role("link", name="Add your first account").click()
    await page.get_by_label("Name").fill("Checking")
    await page.get_by_label("Opening balance").fill("1250.00")
    await page.get_by_label("Opening date").fill("2026-01-01")
    await page.get_by_role("button", name="Add account").click()
    await expect(page.get_by_role("heading", name="Checking")).to_be_visible()

    await (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Transactions").click()
    )
    await expect(page).to_have_url(f"{server}/transactions")
    form = page.locator("#quick-add")
    await form.get_by_label("Date", exact=True).fill("2026-10-03")
    await form.get_by_label("Payee", exact=True).fill("Farmers market")
    await form.get_by_label("Amount", exact=True).fill("23.40")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(form.get_by_role("status")).to_contain_text("Added Farmers market")
    await expect(page.locator("#transaction-rows")).to_contain_text("Farmers market")

    await page.get_by_role("button", name="Log out").click()
    await expect_login_page(page, f"{server}/login")
    await page.goto(f"{server}/transactions")
    await expect_login_page(page, f"{server}/login?next=%2Ftransactions")
    await expect(page.get_by_text("Farmers market")).to_have_count(0)

    await submit_login(page, OWNER_EMAIL, OWNER_PASSWORD)
    await expect(page).to_have_url(f"{server}/transactions")  # where the user was headed
    await expect(page.locator("#transaction-rows")).to_contain_text("Farmers market")
    await expect(page.locator("#transaction-rows")).to_contain_text("-$23.40")


async def test_a_wrong_password_is_explained_and_the_email_kept(
    anonymous_page: Page, server: Server
) -> None:
    page = anonymous_page
    await page.goto(f"{server}/login")
    await submit_login(page, TEST_EMAIL, "not-the-password-at-all")
    await expect_login_page(page, f"{server}/login")
    password = page.get_by_label("Password", exact=True)
    await expect(page.locator("#password-error")).to_have_text("the email or the password is wrong")
    await expect(password).to_have_attribute("aria-invalid", "true")  # read out with the field
    await expect(password).to_have_value("")
    await expect(page.get_by_label("Email", exact=True)).to_have_value(TEST_EMAIL)

    await password.fill(TEST_PASSWORD)  # and the same form, corrected, logs in
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(f"{server}/")
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()


async def test_an_access_token_is_shown_once_listed_and_revoked(page: Page, server: Server) -> None:
    await page.get_by_role("link", name="Settings").click()
    await expect(page).to_have_url(f"{server}/settings")
    await expect(page.get_by_text(f"Logged in as {TEST_EMAIL}.")).to_be_visible()
    tokens = page.get_by_role("table", name="Your access tokens")
    await expect(tokens.get_by_role("row")).to_have_count(2)  # the heading and "Browser tests"

    await page.get_by_label("Name", exact=True).fill("Budget script")
    await page.get_by_role("button", name="Create token").click()
    await expect(page.get_by_role("status")).to_contain_text("Copy it now")
    secret = (await page.locator("#new-token").inner_text()).strip()
    assert re.fullmatch(r"fin_\S{20,}", secret), secret
    row = tokens.get_by_role("row").filter(has_text="Budget script")
    await expect(row).to_contain_text("Read and write")
    await expect(row).to_contain_text("Never")
    async with httpx.AsyncClient(base_url=server) as client:
        bearer = {"Authorization": f"Bearer {secret}"}
        assert (await client.get("/api/v1/accounts", headers=bearer)).status_code == 200

        await page.goto(f"{server}/settings")  # shown once: not on the page again
        await expect(row).to_be_visible()
        await expect(page.locator("#new-token")).to_have_count(0)
        assert secret not in await page.content()

        await row.get_by_role("button", name="Revoke Budget script").click()
        await expect(page.get_by_role("status")).to_contain_text("The token is revoked")
        await expect(row).to_have_count(0)
        await expect(tokens).to_contain_text("Browser tests")  # the other token stays
        assert (await client.get("/api/v1/accounts", headers=bearer)).status_code == 401


async def page_fits(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


async def test_the_setup_page_reads_well_and_passes_an_accessibility_scan(
    anonymous_page: Page, first_run_server: str, axe_file: Path
) -> None:
    await anonymous_page.goto(first_run_server)
    await expect(anonymous_page.get_by_role("button", name="Create account")).to_be_visible()
    await screenshot(anonymous_page, "setup-desktop")
    assert await serious_violations(anonymous_page, axe_file) == []
    await anonymous_page.set_viewport_size(
        ViewportSize(width=PHONE["width"], height=PHONE["height"])
    )
    await page_fits(anonymous_page)
    await screenshot(anonymous_page, "setup-narrow")


async def test_the_login_and_settings_pages_on_desktop(
    page: Page, server: Server, axe_file: Path
) -> None:
    await page.goto(f"{server}/settings")
    await expect(page.get_by_role("heading", name="Access tokens")).to_be_visible()
    await screenshot(page, "settings-desktop")
    assert await serious_violations(page, axe_file) == [], "/settings"
    await page.get_by_role("button", name="Log out").click()
    await expect_login_page(page, f"{server}/login")
    await screenshot(page, "login-desktop")
    assert await serious_violations(page, axe_file) == [], "/login"
    await submit_login(page, TEST_EMAIL, "not-the-password-at-all")
    await expect(page.locator("#password-error")).to_be_visible()
    await screenshot(page, "login-refused-desktop")
    assert await serious_violations(page, axe_file) == [], "/login refused"


async def test_the_login_and_settings_pages_fit_a_phone(phone: Page, server: Server) -> None:
    await phone.goto(f"{server}/settings")
    await expect(phone.get_by_role("heading", name="Access tokens")).to_be_visible()
    await page_fits(phone)
    await screenshot(phone, "settings-phone")
    log_out = phone.get_by_role("button", name="Log out")
    box = await log_out.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]  # in view
    await log_out.tap()
    await expect_login_page(phone, f"{server}/login")
    await page_fits(phone)
    await screenshot(phone, "login-phone")


async def test_without_javascript_logging_out_and_in_are_plain_forms(
    no_js_page: Page, server: Server
) -> None:
    page = no_js_page  # logged in through the form by the fixture, with no script
    await page.goto(f"{server}/transactions")
    await page.get_by_role("button", name="Log out").click()
    await expect_login_page(page, f"{server}/login")
    await page.goto(f"{server}/accounts")
    await expect_login_page(page, f"{server}/login?next=%2Faccounts")
    await submit_login(page, TEST_EMAIL, "not-the-password-at-all")
    await expect(page.locator("#password-error")).to_have_text("the email or the password is wrong")
    await expect(page.get_by_label("Email", exact=True)).to_have_value(TEST_EMAIL)
    await submit_login(page)
    await expect(page).to_have_url(f"{server}/accounts")
    await expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Log out")).to_be_visible()


async def test_after_logging_out_back_does_not_show_the_ledger(page: Page, server: Server) -> None:
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        opened = {"type": "savings", "currency": "USD", "opening_date": "2026-01-01"}
        created = await client.post("/api/v1/accounts", json={"name": "Rainy day", **opened})
        assert created.status_code == 201, created.text
    await page.goto(f"{server}/accounts")
    await expect(page.get_by_role("link", name="Rainy day", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Log out").click()
    await expect_login_page(page, f"{server}/login")
    await page.go_back()  # someone else at this computer, after the owner has left
    await expect_login_page(page, f"{server}/login?next=%2Faccounts")
    await expect(page.get_by_text("Rainy day")).to_have_count(0)


async def test_on_a_phone_revoke_is_in_view_beside_its_token(phone: Page, server: Server) -> None:
    await phone.goto(f"{server}/settings")
    revoke = phone.get_by_role("button", name="Revoke Browser tests")
    await expect(revoke).to_be_visible()
    box = await revoke.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"], "Revoke is off the screen"


async def test_after_a_wrong_password_the_cursor_is_in_the_password_field(
    anonymous_page: Page, server: Server
) -> None:
    page = anonymous_page
    await page.goto(f"{server}/login")
    await submit_login(page, TEST_EMAIL, "not-the-password-at-all")
    await expect(page.locator("#password-error")).to_be_visible()
    await expect(page.get_by_label("Password", exact=True)).to_be_focused()
    await page.keyboard.type(TEST_PASSWORD)  # retyping the password at once, as people do
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{server}/")
