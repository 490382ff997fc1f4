"""In a real browser: recording, editing, filtering, splitting, transferring and deleting
transactions, the register's running balance, on desktop and phone, and without JavaScript."""

from datetime import date
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Server, screenshot, unfold

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def page(any_screen: Page) -> Page:
    """Every flow here runs on a desktop-sized page and again on a 375-pixel phone."""
    return any_screen


TODAY = date.today().isoformat()


async def api(server: Server, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        response = await client.post(f"/api/v1{path}", json=payload)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def ledger(server: Server) -> dict[str, int]:
    """Checking (1,000.00), Savings, and a Food > Groceries and Salary category tree."""
    opened = {"type": "checking", "currency": "USD", "opening_date": "2026-01-01"}
    checking = await api(
        server, "/accounts", {"name": "Checking", **opened, "opening_balance": "1000.00"}
    )
    savings = await api(server, "/accounts", {"name": "Savings", **opened, "type": "savings"})
    food = await api(server, "/categories", {"name": "Food", "kind": "expense"})
    groceries = await api(server, "/categories", {"name": "Groceries", "parent_id": food["id"]})
    salary = await api(server, "/categories", {"name": "Salary", "kind": "income"})
    return {
        "checking": checking["id"],
        "savings": savings["id"],
        "food": food["id"],
        "groceries": groceries["id"],
        "salary": salary["id"],
    }


async def purchase(server: Server, ids: dict[str, int], payee: str = "Bakery") -> dict[str, Any]:
    """A purchase of 5.00 from Checking on 2026-10-03, made through the API."""
    body = {"account_id": ids["checking"], "date": "2026-10-03", "amount": "-5.00", "payee": payee}
    return await api(server, "/transactions", body)


async def quick_add_by_keyboard(
    page: Page, day: str, payee: str, amount: str, category: str
) -> None:
    """Type a transaction into the quick-add row without touching the mouse, then Enter."""
    form = page.locator("#quick-add")
    await expect(form.get_by_label("Date", exact=True)).to_be_focused()
    await page.keyboard.type(day.replace("-", "")[4:] + day[:4])  # Chromium's date field: MMDDYYYY
    await tab_to(page, "quick-add-payee")
    await page.keyboard.type(payee)
    await tab_to(page, "quick-add-amount")
    await page.keyboard.type(amount)
    await tab_to(page, "quick-add-category_id")  # past Type and Account, which keep their defaults
    await page.keyboard.type(category)  # a select picks the option its name starts with
    await page.keyboard.press("Enter")


async def tab_to(page: Page, element_id: str, most: int = 6) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


async def click_and_settle(page: Page, target: Locator) -> None:
    """Click, then wait until htmx has swapped and settled the answer in: a person cannot type
    into the new form within htmx's settle delay, but a test can, and lose the keystrokes."""
    await page.evaluate(
        "window.settled = false;"
        "document.addEventListener('htmx:afterSettle', () => { window.settled = true },"
        " {once: true})"
    )
    await target.click()
    await page.wait_for_function("() => window.settled")


async def rows(page: Page) -> list[str]:
    return await page.locator("#transaction-rows tr[id^=transaction-]").all_inner_texts()


async def record_three_by_keyboard(page: Page, server: Server) -> None:
    await page.goto(f"{server}/transactions")
    await unfold(page)
    await page.locator("#quick-add").get_by_label("Date", exact=True).focus()
    for payee, amount in (("Bakery", "4.50"), ("Whole Foods", "54.23"), ("Corner shop", "12.00")):
        await quick_add_by_keyboard(page, "2026-10-03", payee, amount, "Gro")
        await expect(page.locator("#quick-add").get_by_role("status")).to_contain_text(payee)
    texts = await rows(page)
    assert [t for t in texts if "Bakery" in t or "Whole Foods" in t or "Corner shop" in t]
    assert len(texts) == 3
    assert all("Food: Groceries" in text for text in texts), texts  # "Gro" found the child


async def test_three_transactions_recorded_with_the_keyboard_alone(
    page: Page, server: Server
) -> None:
    await ledger(server)
    await record_three_by_keyboard(page, server)
    await expect(page.locator("#quick-add").get_by_label("Date", exact=True)).to_be_focused()
    await expect(page.locator("#transaction-rows")).to_contain_text("-$54.23")
    width = await page.evaluate("window.innerWidth")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    amount = await page.locator(
        "#transaction-rows tr[id^=transaction-] td.num"
    ).first.bounding_box()
    assert amount is not None and amount["x"] + amount["width"] <= width  # in view, not scrolled
    await screenshot(page, f"transactions-quick-add-{width}px")
    await page.reload()
    assert len(await rows(page)) == 3  # they were saved, not only shown


async def test_a_refused_amount_is_explained_beside_the_field_and_the_input_kept(
    page: Page, server: Server
) -> None:
    await ledger(server)
    await page.goto(f"{server}/transactions")
    await unfold(page)
    form = page.locator("#quick-add")
    await form.get_by_label("Payee", exact=True).fill("Typo Store")
    await form.get_by_label("Amount", exact=True).fill("1.005")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator("#quick-add-amount-error")).to_contain_text(
        "at most 2 decimal places"
    )
    await expect(form.get_by_label("Payee", exact=True)).to_have_value("Typo Store")
    assert await rows(page) in ([], ["No transactions match."]) or "Typo Store" not in "".join(
        await rows(page)
    )


async def test_editing_a_row_in_place(page: Page, server: Server) -> None:
    ids = await ledger(server)
    created = await api(
        server,
        "/transactions",
        {
            "account_id": ids["checking"],
            "date": "2026-10-03",
            "amount": "-54.23",
            "payee": "Whole Foods",
            "category_id": ids["groceries"],
        },
    )
    await page.goto(f"{server}/transactions")
    await unfold(page)
    row = page.locator(f"#transaction-{created['id']}")
    await click_and_settle(page, row.get_by_role("link", name="Edit"))
    editor = page.locator(f"#edit-{created['id']}")
    payee = editor.get_by_label("Payee", exact=True)
    await payee.select_text()  # typed, as a person would: a one-shot fill can lose to the
    await page.keyboard.type("Whole Foods Market")  # payee list's suggestion in Chromium
    await editor.get_by_label("Amount", exact=True).fill("60.00")
    await editor.get_by_role("button", name="Save").click()
    await expect(row).to_contain_text("Whole Foods Market")
    await expect(row).to_contain_text("-$60.00")
    assert page.url == f"{server}/transactions"
    await page.reload()
    await expect(page.locator(f"#transaction-{created['id']}")).to_contain_text("-$60.00")


async def test_filtering_as_you_type_keeps_a_url_that_reloads_the_same_view(
    page: Page, server: Server
) -> None:
    ids = await ledger(server)
    for payee in ("Whole Foods", "Bakery", "Whole Earth"):
        await api(
            server,
            "/transactions",
            {
                "account_id": ids["checking"],
                "date": "2026-10-03",
                "amount": "-1.00",
                "payee": payee,
            },
        )
    await page.goto(f"{server}/transactions")
    await unfold(page)
    await page.locator("#filters").get_by_label("Payee, memo or amount").type("whole")
    await expect(page.locator("#transaction-rows tr")).to_have_count(2)
    await expect(page).to_have_url(f"{server}/transactions?q=whole")
    await page.reload()
    await expect(page.locator("#transaction-rows tr")).to_have_count(2)
    await expect(page.locator("#filters").get_by_label("Payee, memo or amount")).to_have_value(
        "whole"
    )


async def test_back_shows_the_filters_that_match_the_url(page: Page, server: Server) -> None:
    ids = await ledger(server)
    for payee, account in (("Acme", "checking"), ("Acme", "savings"), ("Bakery", "checking")):
        await api(
            server,
            "/transactions",
            {
                "account_id": ids[account],
                "date": "2026-10-03",
                "amount": "1.00",
                "payee": payee,
            },
        )
    await page.goto(f"{server}/transactions")
    await unfold(page)
    filters = page.locator("#filters")
    await filters.get_by_label("Payee, memo or amount").type("acme")
    await expect(page).to_have_url(f"{server}/transactions?q=acme")
    await filters.get_by_label("Account").select_option(label="Savings")
    await expect(page.locator("#transaction-rows tr[id^=transaction-]")).to_have_count(1)
    await page.go_back()
    await expect(page).to_have_url(f"{server}/transactions?q=acme")
    await expect(page.locator("#transaction-rows tr[id^=transaction-]")).to_have_count(2)
    await expect(filters.get_by_label("Payee, memo or amount")).to_have_value("acme")
    await expect(filters.get_by_label("Account")).to_have_value("")


async def test_a_split_and_a_transfer_from_the_same_form(page: Page, server: Server) -> None:
    ids = await ledger(server)
    await page.goto(f"{server}/transactions")
    await unfold(page)
    form = page.locator("#quick-add")
    await form.get_by_label("Payee", exact=True).fill("Target")
    await form.get_by_text("Split across categories").click()
    await form.get_by_label("Line 1 category").select_option(label="Groceries")
    await form.get_by_label("Line 1 amount").fill("30.00")
    await form.get_by_label("Line 2 category").select_option(label="Food")
    await form.get_by_label("Line 2 amount").fill("12.50")
    await click_and_settle(page, form.get_by_role("button", name="Add", exact=True))
    await expect(page.locator("#transaction-rows")).to_contain_text("Split: Food: Groceries, Food")
    await expect(page.locator("#transaction-rows")).to_contain_text("-$42.50")

    form = page.locator("#quick-add")
    await expect(form.get_by_role("status")).to_contain_text("Added Target")  # the fresh form
    await form.get_by_label("Amount", exact=True).fill("200.00")
    await form.get_by_label("Type").select_option("transfer")
    await form.get_by_label("To account").select_option(label="Savings")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator("#transaction-rows")).to_contain_text("Checking → Savings")
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        accounts = {a["name"]: a["balance"] for a in (await client.get("/api/v1/accounts")).json()}
    assert accounts == {"Checking": "757.50", "Savings": "200.00"}
    assert ids  # the ledger the form chose from


async def test_a_transfer_between_currencies_shows_each_side_and_the_rate(
    page: Page, server: Server
) -> None:
    ids = await ledger(server)
    opened = {"type": "savings", "currency": "EUR", "opening_date": "2026-01-01"}
    await api(server, "/accounts", {"name": "Euro savings", **opened})
    await page.goto(f"{server}/transactions")
    await unfold(page)
    form = page.locator("#quick-add")
    await form.get_by_label("Amount", exact=True).fill("100.00")
    await form.get_by_label("Type").select_option("transfer")
    await form.get_by_label("To account").select_option(label="Euro savings")
    await form.get_by_label("Received", exact=False).fill("92.00")
    await form.get_by_role("button", name="Add", exact=True).click()
    rows = page.locator("#transaction-rows")
    await expect(rows).to_contain_text("Checking → Euro savings")
    await expect(rows).to_contain_text("1 USD = 0.92 EUR")
    await screenshot(page, "transfer-between-currencies")
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        accounts = {a["name"]: a["balance"] for a in (await client.get("/api/v1/accounts")).json()}
    assert accounts == {"Checking": "900.00", "Savings": "0.00", "Euro savings": "92.00"}
    assert ids


async def test_delete_happens_at_once_and_can_be_undone(page: Page, server: Server) -> None:
    """With JavaScript, Delete asks nothing (as mail apps do) and offers Undo instead."""
    ids = await ledger(server)
    created = await api(
        server,
        "/transactions",
        {
            "account_id": ids["checking"],
            "date": "2026-10-03",
            "amount": "-54.23",
            "payee": "Whole Foods",
            "category_id": ids["groceries"],
            "memo": "weekly shop",
        },
    )
    await page.goto(f"{server}/transactions")
    await unfold(page)
    dialogs: list[str] = []

    async def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.locator(f"#transaction-{created['id']}").get_by_role("link", name="Delete").click()
    await expect(page.get_by_role("button", name="Undo")).to_be_focused()
    assert dialogs == []  # no confirmation as well as the Undo
    async with httpx.AsyncClient(base_url=server, headers=server.auth) as client:
        assert (await client.get("/api/v1/transactions")).json()["items"] == []
        await page.get_by_role("button", name="Undo").click()
        await expect(page.get_by_role("button", name="Undo")).to_have_count(0)  # saved
        await expect(page.locator("#transaction-rows")).to_contain_text("Whole Foods")
        (restored,) = (await client.get("/api/v1/transactions")).json()["items"]
    kept = ("date", "payee", "memo", "amount", "account_id", "category_id", "status")
    assert {k: restored[k] for k in kept} == {k: created[k] for k in kept}


async def test_the_register_shows_the_running_balance(page: Page, server: Server) -> None:
    ids = await ledger(server)
    for day, amount in (
        ("2026-10-01", "-100.00"),
        ("2026-10-02", "2500.00"),
        ("2026-10-03", "-54.23"),
    ):
        await api(
            server, "/transactions", {"account_id": ids["checking"], "date": day, "amount": amount}
        )
    await page.goto(f"{server}/accounts/{ids['checking']}")
    balances = await page.locator("#register-rows tr td:last-child").all_inner_texts()
    assert balances == ["$3,345.77", "$3,400.00", "$900.00"]


async def test_without_javascript_a_transaction_is_added_and_listed(
    no_js_page: Page, server: Server
) -> None:
    await ledger(server)
    page = no_js_page
    await page.goto(f"{server}/transactions")
    await unfold(page)
    form = page.locator("#quick-add")
    await form.get_by_label("Date", exact=True).fill("2026-10-03")
    await form.get_by_label("Payee", exact=True).fill("Farmers market")
    await form.get_by_label("Amount", exact=True).fill("23.40")
    await form.get_by_label("Category", exact=True).select_option(label="Groceries")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(page).to_have_url(f"{server}/transactions")
    await expect(page.locator("#transaction-rows")).to_contain_text("Farmers market")
    await expect(page.locator("#transaction-rows")).to_contain_text("-$23.40")
    await screenshot(page, "transactions-without-javascript")


async def test_keyboard_shortcuts_and_escape(page: Page, server: Server) -> None:
    """`?` lists the shortcuts; `/` searches, and typing there types; `n` starts a transaction,
    whose date one Tab leaves; Escape cancels an edit in place; `g a` goes to accounts."""
    ids = await ledger(server)
    created = await purchase(server, ids)
    await page.goto(f"{server}/transactions")
    await unfold(page)
    await expect(page.get_by_role("button", name="Keyboard shortcuts (?)")).to_be_visible()
    await page.evaluate("document.activeElement.blur()")
    await page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(shortcuts).to_be_visible()
    await screenshot(page, "keyboard-shortcuts")
    await page.keyboard.press("Escape")
    await expect(shortcuts).to_be_hidden()
    await page.keyboard.press("/")
    search = page.locator("#filter-q")
    await expect(search).to_be_focused()
    await page.keyboard.type("n")  # typed into the field, not a shortcut
    await expect(search).to_have_value("n")
    await page.goto(f"{server}/transactions")  # the list as it was, not filtered by "n"
    await page.evaluate("document.activeElement.blur()")
    await page.keyboard.press("n")
    await expect(page.locator("#quick-add-date")).to_be_focused()
    await page.keyboard.type("10032026")
    await page.keyboard.press("Tab")
    await expect(page.locator("#quick-add-payee")).to_be_focused()
    row = page.locator(f"#transaction-{created['id']}")
    await click_and_settle(page, row.get_by_role("link", name="Edit"))
    editor = page.locator(f"#edit-{created['id']}")
    await editor.get_by_label("Payee", exact=True).press("Escape")
    await expect(editor).to_have_count(0)
    await expect(row.get_by_role("link", name="Edit")).to_be_visible()
    await page.evaluate("document.activeElement.blur()")
    await page.keyboard.press("g")
    await page.keyboard.press("a")
    await expect(page).to_have_url(f"{server}/accounts")


async def test_without_javascript_delete_asks_on_a_page_of_its_own(
    no_js_page: Page, server: Server
) -> None:
    ids = await ledger(server)
    created = await purchase(server, ids)
    page = no_js_page
    await page.goto(f"{server}/transactions")
    await unfold(page)
    await page.locator(f"#transaction-{created['id']}").get_by_role("link", name="Delete").click()
    await expect(page.get_by_role("heading", name="Delete transaction")).to_be_visible()
    await expect(page.get_by_text("Keyboard shortcuts (?)")).to_be_hidden()  # they need script
    await expect(page.get_by_text("Bakery")).to_be_visible()
    await screenshot(page, "delete-without-javascript")
    await page.get_by_role("button", name="Delete").click()
    await expect(page).to_have_url(f"{server}/transactions")
    await expect(page.locator(f"#transaction-{created['id']}")).to_have_count(0)


async def test_a_long_payee_ends_in_an_ellipsis_and_the_table_fits(
    page: Page, server: Server
) -> None:
    """A payee of 200 characters without a space is clipped (whole in its tooltip), so the
    other columns and the row's buttons stay on the screen, on a phone too."""
    ids = await ledger(server)
    payee = "X" * 200
    created = await purchase(server, ids, payee)
    await page.goto(f"{server}/transactions")
    await unfold(page)
    row = page.locator(f"#transaction-{created['id']}")
    await expect(row.locator(f'[title="{payee}"]')).to_be_visible()
    viewport = page.viewport_size
    assert viewport is not None
    for button in ("Edit", "Delete"):
        box = await row.get_by_role("link", name=button).bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"], button
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    date_lines = await row.locator("td").first.evaluate(
        """(cell) => {
            const text = document.createRange();
            text.selectNodeContents(cell);
            return new Set([...text.getClientRects()].map((line) => Math.round(line.top))).size;
        }"""
    )
    assert date_lines == 1
    await screenshot(page, f"long-payee-{viewport['width']}px")


async def test_on_a_phone_the_list_starts_on_the_first_screen(page: Page, server: Server) -> None:
    """A phone folds the add form and the filters behind a button each; a wide screen shows
    them as they are."""
    ids = await ledger(server)
    created = await purchase(server, ids)
    await page.goto(f"{server}/transactions")
    viewport = page.viewport_size
    assert viewport is not None
    add, date = page.get_by_text("Add a transaction", exact=True), page.locator("#quick-add-date")
    if viewport["width"] > 640:
        await expect(add).to_be_hidden()
        await expect(date).to_be_visible()
        await expect(page.locator("#filter-q")).to_be_visible()
        return
    await expect(date).to_be_hidden()
    await expect(page.locator("#filter-q")).to_be_hidden()
    box = await page.locator(f"#transaction-{created['id']}").bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport["height"]
    await screenshot(page, "transactions-folded-375px")
    await add.click()
    await expect(date).to_be_visible()
    await page.locator("summary", has_text="Filter").click()
    await expect(page.locator("#filter-q")).to_be_visible()
