"""In a real browser: a German bank's CSV uploaded, its columns checked and changed, the preview
confirmed, the transactions listed, and the import undone; the preview's accessibility and looks
(screenshots to look at); and the same flow with JavaScript switched off."""

from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, ViewportSize, expect

from tests.browser.conftest import DESKTOP, PHONE, Server, screenshot, serious_violations

pytestmark = pytest.mark.asyncio(loop_scope="session")

DATA = Path(__file__).resolve().parents[1] / "data"
GIROKONTO = DATA / "girokonto-2026-10.csv"


def add_account(server: Server, name: str, currency: str) -> None:
    """Open an account through the API, as the test user."""
    response = httpx.post(
        f"{server}/api/v1/accounts",
        json={"name": name, "type": "checking", "currency": currency, "opening_date": "2026-01-01"},
        headers=server.auth,
    )
    assert response.status_code == 201, response.text


def transaction_count(server: Server) -> int:
    response = httpx.get(f"{server}/api/v1/transactions?limit=500", headers=server.auth)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


async def upload(page: Page, server: Server, account: str, file: Path) -> None:
    """Choose the account and the file on the import page, and ask for the preview."""
    await page.goto(f"{server}/imports")
    await expect(page.get_by_role("heading", name="Import a bank file")).to_be_visible()
    await page.get_by_label("Account").select_option(label=account)
    await page.get_by_label("Bank file").set_input_files(file)
    await page.get_by_role("button", name="Preview the import").click()
    await expect(
        page.get_by_role("heading", name=f"Check the import of {file.name}")
    ).to_be_visible()


async def undo_from_the_imports_page(page: Page, server: Server, filename: str) -> None:
    await page.goto(f"{server}/imports")
    await page.get_by_role("link", name=f"Undo the import of {filename}").click()
    await expect(
        page.get_by_role("heading", name=f"Undo the import of {filename}?")
    ).to_be_visible()
    await page.get_by_role("button", name="Undo import").click()
    await expect(page).to_have_url(f"{server}/imports?undone=1", timeout=10_000)
    await expect(page.get_by_role("status")).to_contain_text(f"Undid the import of {filename}")
    await expect(page.locator(".badge", has_text="Undone")).to_be_visible()


async def test_a_bank_csv_is_mapped_previewed_imported_and_undone(
    page: Page, server: Server, axe_file: Path
) -> None:
    add_account(server, "Girokonto", "EUR")
    await upload(page, server, "Girokonto (EUR)", GIROKONTO)

    mapping = page.locator("#mapping")
    await expect(mapping.get_by_label("Date", exact=True)).to_have_value("Buchungstag")
    await expect(mapping.get_by_label("Payee")).to_have_value("Auftraggeber / Begünstigter")
    await expect(mapping.get_by_label("Amount (signed)")).to_have_value("Betrag (EUR)")
    await expect(mapping.get_by_label("Memo")).to_have_value("Verwendungszweck")
    await expect(mapping.get_by_label("Date format")).to_have_value("%d.%m.%Y")
    await expect(mapping.get_by_label("Decimal separator")).to_have_value(",")
    await expect(page.get_by_role("cell", name="Gehalt Müller & Söhne AG").first).to_be_visible()

    await mapping.get_by_label("Amount (signed)").select_option(label="—")
    await page.get_by_role("button", name="Update preview").click()
    await expect(page.locator("#mapping-error")).to_contain_text("name an amount column")
    await expect(page.get_by_role("button", name="Import 35 transactions")).to_have_count(0)
    await mapping.get_by_label("Amount (signed)").select_option("Betrag (EUR)")
    await page.get_by_role("button", name="Update preview").click()

    confirm = page.get_by_role("button", name="Import 35 transactions into Girokonto")
    await expect(confirm).to_be_visible()
    totals = page.get_by_role("region", name="Totals")
    await expect(totals).to_contain_text("New transactions35")
    await expect(totals).to_contain_text("€4,074.32")
    assert transaction_count(server) == 0, "a preview writes nothing"
    assert await serious_violations(page, axe_file) == []
    await screenshot(page, "import-preview-desktop")
    await page.set_viewport_size(ViewportSize(width=PHONE["width"], height=PHONE["height"]))
    width = await page.evaluate("document.documentElement.scrollWidth")
    await screenshot(page, "import-preview-phone")
    assert width <= PHONE["width"], f"the preview is {width}px wide on a phone"
    await page.set_viewport_size(ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"]))

    await confirm.click()
    await expect(page.get_by_role("status")).to_have_text(
        "Imported 35 transactions (0 duplicates skipped)."
    )
    await screenshot(page, "imports-desktop")
    assert await serious_violations(page, axe_file) == []
    await page.goto(f"{server}/transactions")
    await expect(page.get_by_text("Gehalt Müller & Söhne AG").first).to_be_visible()
    assert transaction_count(server) == 35

    await undo_from_the_imports_page(page, server, GIROKONTO.name)
    await page.goto(f"{server}/transactions")
    await expect(page.get_by_text("Gehalt Müller & Söhne AG")).to_have_count(0)
    assert transaction_count(server) == 0


async def test_the_import_works_without_javascript(no_js_page: Page, server: Server) -> None:
    page = no_js_page
    add_account(server, "Checking", "USD")
    await upload(page, server, "Checking (USD)", DATA / "checking-2026-10.csv")
    await page.locator("#mapping").get_by_label("Balance").select_option(label="—")
    await page.get_by_role("button", name="Update preview").click()  # a whole page again
    await expect(page.locator("#mapping").get_by_label("Balance")).to_have_value("")
    await page.get_by_role("button", name="Import 73 transactions into Checking").click()
    await expect(page.get_by_role("status")).to_contain_text("Imported 73 transactions")
    assert transaction_count(server) == 73
    await undo_from_the_imports_page(page, server, "checking-2026-10.csv")
    assert transaction_count(server) == 0


async def test_the_same_statement_as_csv_then_ofx_is_probably_already_imported(
    page: Page, server: Server
) -> None:
    add_account(server, "Everyday", "USD")
    await upload(page, server, "Everyday (USD)", DATA / "checking-2026-10.csv")
    await page.get_by_role("button", name="Import 73 transactions").click()
    await expect(page.get_by_role("status")).to_contain_text("Imported 73 transactions")

    await upload(page, server, "Everyday (USD)", DATA / "checking-2026-10.ofx")
    await expect(page.get_by_role("status").first).to_contain_text(
        "73 lines are probably already imported"
    )
    await expect(page.locator(".badge", has_text="probably already imported")).to_have_count(73)
    await screenshot(page, "import-probably-already-imported")
    await page.get_by_label("import anyway").first.check()
    await page.get_by_role("button", name="Import the ticked lines into Everyday").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Imported 1 transaction (72 duplicates skipped)"
    )
    assert transaction_count(server) == 74


async def test_imports_last_months_statement_into_an_account_created_today(
    page: Page, server: Server, axe_file: Path
) -> None:
    await page.goto(f"{server}/accounts/new")
    await page.get_by_label("Name").fill("Checking")
    await page.get_by_label("Opening date (optional)").fill(date.today().isoformat())
    await page.get_by_role("button", name="Add account").click()
    await expect(page.get_by_role("heading", name="Checking")).to_be_visible()
    account_url = page.url

    await upload(page, server, "Checking (USD)", DATA / "checking-2026-10.csv")
    await expect(page.locator("#before-opening")).to_contain_text(
        "73 lines are dated before Checking's opening date"
    )
    move = page.get_by_label("Move Checking's opening date back to Oct 1, 2026")
    await expect(move).not_to_be_checked()
    await move.check()
    assert await serious_violations(page, axe_file) == []
    await screenshot(page, "import-preview-move-opening-date")
    await page.get_by_role("button", name="Import 73 transactions into Checking").click()
    await expect(page.get_by_role("status")).to_contain_text("Imported 73 transactions")
    assert transaction_count(server) == 73

    await page.goto(f"{account_url}/edit")
    await expect(page.get_by_label("Opening date (optional)")).to_have_value("2026-10-01")
    await page.goto(f"{server}/transactions")
    await expect(page.get_by_text("Acme Corp Payroll").first).to_be_visible()
    await screenshot(page, "transactions-after-moving-the-opening-date")
