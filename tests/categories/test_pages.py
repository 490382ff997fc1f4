"""Category pages: the tree with this month's figures, and the forms (with and without htmx) to
add, rename, move and delete a category."""

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from tests.api import API, add_account, add_category, add_transaction, get_json
from tests.users import notice_on

HTMX = {"HX-Request": "true"}


async def category_row(client: AsyncClient, category_id: int) -> str:
    """The row of the categories page that shows this category."""
    page = (await client.get("/categories")).text
    start = page.index(f'<tr id="category-{category_id}"')
    return page[start : page.index("</tr>", start)]


async def categories(client: AsyncClient) -> dict[str, dict[str, Any]]:
    """Every category, by name, as the API reads it back."""
    tree = await get_json(client, f"{API}/categories")
    flat = [*tree, *(child for top in tree for child in top["children"])]
    return {category["name"]: category for category in flat}


async def spend(client: AsyncClient, category_id: int, amount: str = "-5.00") -> dict[str, Any]:
    """A transaction today on a fresh account, in the category."""
    account = await add_account(client, f"Account for {category_id}")
    return await add_transaction(
        client,
        date=date.today().isoformat(),
        account_id=account["id"],
        amount=amount,
        category_id=category_id,
    )


async def test_an_empty_ledger_invites_adding_the_first_category(client):
    response = await client.get("/categories")
    assert response.status_code == 200
    assert "No categories yet" in response.text
    assert 'href="/categories/new">Add your first category' in response.text
    assert '<a href="/categories" aria-current="page">Categories</a>' in response.text
    assert 'id="expense-categories"' not in response.text


STARTER_FORM = 'action="/categories/starter-set"'


async def test_an_empty_ledger_is_offered_the_starter_categories_without_javascript(client):
    page = (await client.get("/categories")).text
    assert STARTER_FORM in page and 'name="csrf_token"' in page
    assert "starter-set/dismiss" not in page  # nothing to dismiss here: the page is empty

    response = await client.post("/categories/starter-set")

    assert response.status_code == 303 and response.headers["location"] == "/categories"
    page = (await client.get("/categories")).text
    assert "Groceries</th>" in page and "Salary</th>" in page
    assert STARTER_FORM not in page


async def test_a_second_click_on_the_starter_categories_adds_nothing(client):
    await client.post("/categories/starter-set")
    first = await categories(client)

    response = await client.post("/categories/starter-set")

    assert response.status_code == 303
    assert await categories(client) == first


async def test_the_tree_nests_subcategories_under_their_parent_and_keeps_income_apart(client):
    food = await add_category(client, "Food")
    await add_category(client, "Restaurants", parent_id=food["id"])
    await add_category(client, "Groceries", parent_id=food["id"])
    await add_category(client, "Rent")
    await add_category(client, "Salary", kind="income")
    page = (await client.get("/categories")).text
    expenses, income = page.split('<h2 id="expense-heading">')[1].split('<h2 id="income-heading">')
    order = [
        expenses.index(f"{name}</th>") for name in ("Food", "Groceries", "Restaurants", "Rent")
    ]
    assert order == sorted(order)
    assert "Salary" not in expenses and "Salary</th>" in income
    groceries = expenses[: expenses.index("Groceries</th>")].rsplit("<tr", 1)[1]
    assert 'class="subcategory"' in groceries and "Food: </span>" in groceries
    assert "No categories yet" not in page


async def test_each_category_shows_what_went_into_it_this_month(client):
    account = await add_account(client, "Checking", opening_date="2020-01-01")
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    rent = await add_category(client, "Rent")
    salary = await add_category(client, "Salary", kind="income")
    today = date.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    for day, amount, category in (
        (today, "-54.23", groceries),
        (today, "-10.00", food),
        (last_month, "-99.00", groceries),
        (today, "2500.00", salary),
    ):
        await add_transaction(
            client,
            date=day.isoformat(),
            account_id=account["id"],
            amount=amount,
            category_id=category["id"],
        )
    assert ">$54.23</span>" in await category_row(client, groceries["id"])
    assert ">$64.23</span>" in await category_row(client, food["id"])
    assert ">$2,500.00</span>" in await category_row(client, salary["id"])
    rent_row = await category_row(client, rent["id"])
    assert "$" not in rent_row and "—" in rent_row
    assert "$99.00" not in (await client.get("/categories")).text


async def test_a_refund_larger_than_the_spending_shows_as_negative(client):
    groceries = await add_category(client, "Groceries")
    await spend(client, groceries["id"], amount="12.50")
    row = await category_row(client, groceries["id"])
    assert '<span class="amount negative">-$12.50</span>' in row


async def test_creating_categories_without_javascript_redirects_to_the_tree(client):
    response = await client.post("/categories", data={"name": "Food", "kind": "expense"})
    assert response.status_code == 303 and response.headers["location"] == "/categories"
    food = (await categories(client))["Food"]
    child = {"name": "Groceries", "kind": "expense", "parent_id": str(food["id"])}
    assert (await client.post("/categories", data=child)).status_code == 303
    top = {"name": "Salary", "kind": "income", "parent_id": ""}
    assert (await client.post("/categories", data=top)).status_code == 303
    saved = await categories(client)
    assert saved["Groceries"]["parent_id"] == food["id"]
    assert (saved["Salary"]["kind"], saved["Salary"]["parent_id"]) == ("income", None)
    assert "Groceries</th>" in (await client.get("/categories")).text


async def test_the_new_form_labels_every_field_and_offers_only_top_level_parents(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    form = (await client.get("/categories/new")).text
    for name in ("name", "kind", "parent_id"):
        assert f'<label for="{name}">' in form and f'id="{name}"' in form
    assert f'<option value="{food["id"]}">Food (expense)</option>' in form
    assert f'value="{groceries["id"]}"' not in form
    assert '<option value="">None (top level)</option>' in form


async def test_a_refused_form_comes_back_with_422_the_input_kept_and_the_reason_beside_it(client):
    food = await add_category(client, "Food")
    form = {"name": "Bonus", "kind": "income", "parent_id": str(food["id"])}
    response = await client.post("/categories", data=form)
    assert response.status_code == 422
    assert 'value="Bonus"' in response.text
    assert '<option value="income" selected>' in response.text
    assert f'<option value="{food["id"]}" selected>' in response.text
    assert 'id="kind-error">a child of an expense category is expense too' in response.text
    assert list(await categories(client)) == ["Food"]


async def test_an_empty_name_is_refused_beside_the_name(client):
    response = await client.post("/categories", data={"name": "  ", "kind": "expense"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and 'aria-invalid="true"' in response.text
    assert await categories(client) == {}


async def test_a_duplicate_name_is_explained_above_the_form(client):
    await add_category(client, "Food")
    response = await client.post("/categories", data={"name": "food", "kind": "expense"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "already exists" in response.text
    assert 'value="food"' in response.text


async def test_renaming_and_moving_without_javascript(client):
    food = await add_category(client, "Food")
    snacks = await add_category(client, "Snacks")
    edit = await client.get(f"/categories/{snacks['id']}/edit")
    assert 'value="Snacks"' in edit.text and f'value="{snacks["id"]}"' not in edit.text
    moved = {"name": "Sweets", "kind": "expense", "parent_id": str(food["id"])}
    response = await client.post(f"/categories/{snacks['id']}", data=moved)
    assert response.status_code == 303 and response.headers["location"] == "/categories"
    assert (await categories(client))["Sweets"]["parent_id"] == food["id"]
    assert "Food: </span>Sweets</th>" in (await client.get("/categories")).text
    to_top = {"name": "Sweets", "kind": "expense", "parent_id": ""}
    assert (await client.post(f"/categories/{snacks['id']}", data=to_top)).status_code == 303
    assert (await categories(client))["Sweets"]["parent_id"] is None


async def test_a_refused_move_keeps_the_category_where_it_was(client):
    salary = await add_category(client, "Salary", kind="income")
    snacks = await add_category(client, "Snacks")
    move = {"name": "Treats", "kind": "expense", "parent_id": str(salary["id"])}
    response = await client.post(f"/categories/{snacks['id']}", data=move)
    assert response.status_code == 422
    assert 'id="kind-error">a child of an income category is income too' in response.text
    assert 'value="Treats"' in response.text and "Edit “Snacks”" in response.text
    assert (await categories(client))["Snacks"]["parent_id"] is None


async def test_a_parent_stays_at_the_top_level_and_says_why_beside_the_parent(client):
    food = await add_category(client, "Food")
    await add_category(client, "Groceries", parent_id=food["id"])
    home = await add_category(client, "Home")
    move = {"name": "Food", "kind": "expense", "parent_id": str(home["id"])}
    response = await client.post(f"/categories/{food['id']}", data=move)
    assert response.status_code == 422
    assert 'id="parent_id-error">a category with subcategories stays at the top level' in (
        response.text
    )
    assert (await categories(client))["Food"]["parent_id"] is None


async def test_clearing_the_name_on_edit_is_refused_not_ignored(client):
    snacks = await add_category(client, "Snacks")
    response = await client.post(
        f"/categories/{snacks['id']}", data={"name": "", "kind": "expense", "parent_id": ""}
    )
    assert response.status_code == 422 and 'id="name-error"' in response.text
    assert "Snacks" in await categories(client)


async def test_deleting_an_unused_category_without_javascript(client):
    snacks = await add_category(client, "Snacks")
    confirm = (await client.get(f"/categories/{snacks['id']}/delete")).text
    assert "No transactions use “Snacks”" in confirm and 'name="replace_with"' not in confirm
    assert ">Delete category</button>" in confirm
    response = await client.post(f"/categories/{snacks['id']}/delete")
    assert response.status_code == 303 and response.headers["location"] == "/categories"
    assert await categories(client) == {}


async def test_deleting_a_used_category_asks_where_its_transactions_go(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    restaurants = await add_category(client, "Restaurants", parent_id=food["id"])
    await add_category(client, "Salary", kind="income")
    transaction = await spend(client, groceries["id"])
    confirm = (await client.get(f"/categories/{groceries['id']}/delete")).text
    assert "Some transactions use “Groceries”" in confirm
    assert f'<option value="{restaurants["id"]}">Food: Restaurants</option>' in confirm
    assert '<label for="replace_with">Move its transactions to</label>' in confirm
    assert f'<option value="{food["id"]}">Food</option>' in confirm
    assert "Salary" not in confirm.split('id="replace_with"')[1]

    refused = await client.post(f"/categories/{groceries['id']}/delete", data={"replace_with": ""})
    assert refused.status_code == 422
    assert "“Groceries” is used by transactions. Choose a category" in refused.text
    assert "Groceries" in await categories(client)
    stored = await get_json(client, f"{API}/transactions/{transaction['id']}")
    assert stored["category_id"] == groceries["id"]

    moved = await client.post(
        f"/categories/{groceries['id']}/delete", data={"replace_with": str(food["id"])}
    )
    assert moved.status_code == 303
    assert "Groceries" not in await categories(client)
    stored = await get_json(client, f"{API}/transactions/{transaction['id']}")
    assert stored["category_id"] == food["id"]


async def test_a_replacement_of_the_other_kind_is_refused_beside_the_choice(client):
    groceries = await add_category(client, "Groceries")
    await add_category(client, "Food")
    salary = await add_category(client, "Salary", kind="income")
    await spend(client, groceries["id"])
    response = await client.post(
        f"/categories/{groceries['id']}/delete", data={"replace_with": str(salary["id"])}
    )
    assert response.status_code == 422
    assert 'id="replace_with-error">the replacement must be an expense category' in response.text
    assert "Groceries" in await categories(client)


async def test_a_used_category_with_nothing_to_take_its_place_says_so(client):
    groceries = await add_category(client, "Groceries")
    await spend(client, groceries["id"])
    confirm = (await client.get(f"/categories/{groceries['id']}/delete")).text
    assert "no other expense category to take them" in confirm
    assert "Delete category</button>" not in confirm


async def test_a_parent_cannot_be_deleted_before_its_subcategories(client):
    food = await add_category(client, "Food")
    await add_category(client, "Groceries", parent_id=food["id"])
    confirm = (await client.get(f"/categories/{food['id']}/delete")).text
    assert "has subcategories: Groceries" in confirm and "Delete category</button>" not in confirm
    response = await client.post(f"/categories/{food['id']}/delete")
    assert response.status_code == 422 and "move or delete them first" in response.text
    assert set(await categories(client)) == {"Food", "Groceries"}


async def test_an_htmx_request_for_the_page_gets_only_the_tree(client):
    await add_category(client, "Food")
    fragment = await client.get("/categories", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="category-tree">')
    assert "<html" not in fragment.text and "Food</th>" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    page = await client.get("/categories")
    assert "<html" in page.text and page.headers["vary"] == "HX-Request"


async def test_an_htmx_form_error_swaps_only_the_form(client):
    response = await client.post("/categories", data={"name": "", "kind": "expense"}, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form method="post" action="/categories"')
    assert "<html" not in response.text and 'id="name-error"' in response.text
    assert response.headers["vary"] == "HX-Request"


async def test_an_htmx_delete_refusal_swaps_only_the_form(client):
    groceries = await add_category(client, "Groceries")
    await add_category(client, "Food")
    await spend(client, groceries["id"])
    response = await client.post(f"/categories/{groceries['id']}/delete", headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form") and "<html" not in response.text
    assert "is used by transactions" in response.text


async def test_an_htmx_form_that_succeeds_sends_the_browser_to_the_tree(client):
    response = await client.post(
        "/categories", data={"name": "Food", "kind": "expense"}, headers=HTMX
    )
    assert response.headers["HX-Redirect"] == "/categories"
    assert "Food" in await categories(client)


async def test_a_missing_category_is_404(client):
    assert (await client.get("/categories/999/edit")).status_code == 404
    assert (await client.get("/categories/999/delete")).status_code == 404
    assert (await client.post("/categories/999", data={"name": "X"})).status_code == 404
    assert (await client.post("/categories/999/delete")).status_code == 404


async def test_each_change_without_javascript_is_confirmed_on_the_tree_once(client):
    created = await client.post("/categories", data={"name": "<b>Food</b>", "kind": "expense"})
    tree = await client.get(created.headers["location"])
    assert notice_on(tree.text) == "Added &lt;b&gt;Food&lt;/b&gt;"
    assert notice_on((await client.get("/categories")).text) is None

    food = (await categories(client))["<b>Food</b>"]
    renamed = {"name": "Food", "kind": "expense", "parent_id": ""}
    saved = await client.post(f"/categories/{food['id']}", data=renamed)
    assert notice_on((await client.get(saved.headers["location"])).text) == "Saved Food"

    deleted = await client.post(f"/categories/{food['id']}/delete")
    assert notice_on((await client.get(deleted.headers["location"])).text) == "Deleted Food"
    assert notice_on((await client.get("/categories")).text) is None


async def test_the_tree_as_an_htmx_fragment_leaves_the_notice_waiting(client):
    created = await client.post("/categories", data={"name": "Food", "kind": "expense"})
    fragment = await client.get("/categories", headers=HTMX)
    assert "<html" not in fragment.text and "set-cookie" not in fragment.headers
    assert notice_on((await client.get(created.headers["location"])).text) == "Added Food"
