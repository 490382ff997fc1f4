"""The categories API: a tree one level deep, children sharing their parent's kind, names unique
under a parent, and deletion that keeps every transaction line categorised somewhere."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.api import API, add_account, add_category, add_transaction, assert_problem, get_json

CATEGORIES = f"{API}/categories"


async def get_category(client: AsyncClient, category_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{CATEGORIES}/{category_id}")
    return body


async def tree(client: AsyncClient) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = await get_json(client, CATEGORIES)
    return body


async def outline(client: AsyncClient) -> list[tuple[str, list[str]]]:
    """The tree as names only: each top-level name with its children's names."""
    return [
        (top["name"], [child["name"] for child in top["children"]]) for top in await tree(client)
    ]


async def patch(client: AsyncClient, category_id: int, **changes: Any):
    return await client.patch(f"{CATEGORIES}/{category_id}", json=changes)


async def get_transaction(client: AsyncClient, transaction_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await get_json(client, f"{API}/transactions/{transaction_id}")
    return body


# --- list -------------------------------------------------------------------------------------


async def test_the_list_starts_empty(client):
    assert await tree(client) == []


async def test_the_list_is_a_tree_of_top_level_categories_with_their_children(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    salary = await add_category(client, "Salary", kind="income")

    assert await tree(client) == [
        {
            "id": food["id"],
            "name": "Food",
            "kind": "expense",
            "parent_id": None,
            "children": [
                {
                    "id": groceries["id"],
                    "name": "Groceries",
                    "kind": "expense",
                    "parent_id": food["id"],
                },
            ],
        },
        {"id": salary["id"], "name": "Salary", "kind": "income", "parent_id": None, "children": []},
    ]


async def test_the_tree_is_sorted_by_name_ignoring_case_at_both_levels(client):
    income = await add_category(client, "income", kind="income")
    food = await add_category(client, "Food")
    await add_category(client, "car")
    for name in ("restaurants", "Groceries", "Coffee"):
        await add_category(client, name, parent_id=food["id"])
    for name in ("Salary", "bonus"):
        await add_category(client, name, parent_id=income["id"])

    assert await outline(client) == [
        ("car", []),
        ("Food", ["Coffee", "Groceries", "restaurants"]),
        ("income", ["bonus", "Salary"]),
    ]


# --- create -----------------------------------------------------------------------------------


async def test_adding_a_top_level_category_answers_201_with_it(client):
    response = await client.post(CATEGORIES, json={"name": "Salary", "kind": "income"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {"id": body["id"], "name": "Salary", "kind": "income", "parent_id": None}
    assert await get_category(client, body["id"]) == body


async def test_a_top_level_category_needs_a_kind(client):
    response = await client.post(CATEGORIES, json={"name": "Food"})

    assert_problem(response, 422, field="kind")
    assert await tree(client) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Food", "kind": "savings"}, "kind"),
        ({"name": "", "kind": "expense"}, "name"),
        ({"name": "   ", "kind": "expense"}, "name"),
        ({"name": "x" * 101, "kind": "expense"}, "name"),
        ({"kind": "expense"}, "name"),
        ({"name": "Food", "kind": "expense", "colour": "red"}, "colour"),
        ({"name": "Food", "kind": "expense", "parent_id": "top"}, "parent_id"),
    ],
)
async def test_an_invalid_category_is_refused_and_the_field_named(client, payload, field):
    response = await client.post(CATEGORIES, json=payload)

    assert_problem(response, 422, field=field)
    assert await tree(client) == []


@pytest.mark.parametrize("kind", ["income", "expense"])
async def test_a_child_takes_its_parents_kind(client, kind):
    parent = await add_category(client, "Parent", kind=kind)

    child = await add_category(client, "Child", parent_id=parent["id"])

    assert (child["kind"], child["parent_id"]) == (kind, parent["id"])
    assert (await get_category(client, child["id"]))["kind"] == kind


async def test_a_child_may_restate_its_parents_kind(client):
    parent = await add_category(client, "Work", kind="income")

    child = await add_category(client, "Salary", kind="income", parent_id=parent["id"])

    assert child["kind"] == "income"


async def test_a_child_of_another_kind_than_its_parent_is_refused(client):
    parent = await add_category(client, "Food", kind="expense")

    response = await client.post(
        CATEGORIES, json={"name": "Refunds", "kind": "income", "parent_id": parent["id"]}
    )

    assert_problem(response, 422, field="kind")
    assert await outline(client) == [("Food", [])]


async def test_a_child_of_a_missing_parent_is_refused(client):
    response = await client.post(CATEGORIES, json={"name": "Groceries", "parent_id": 999})

    assert_problem(response, 422, field="parent_id")
    assert await tree(client) == []


async def test_categories_nest_one_level_only(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    response = await client.post(CATEGORIES, json={"name": "Fruit", "parent_id": groceries["id"]})

    assert_problem(response, 422, field="parent_id")
    assert await outline(client) == [("Food", ["Groceries"])]


@pytest.mark.parametrize("duplicate", ["Groceries", "groceries", "GROCERIES", " Groceries "])
async def test_a_name_used_under_the_same_parent_ignoring_case_is_refused_with_409(
    client, duplicate
):
    food = await add_category(client, "Food")
    await add_category(client, "Groceries", parent_id=food["id"])

    response = await client.post(CATEGORIES, json={"name": duplicate, "parent_id": food["id"]})

    assert_problem(response, 409)
    assert await outline(client) == [("Food", ["Groceries"])]


async def test_the_same_name_under_another_parent_or_at_the_top_is_allowed(client):
    food = await add_category(client, "Food")
    home = await add_category(client, "Home")
    await add_category(client, "Other", parent_id=food["id"])

    await add_category(client, "other", parent_id=home["id"])
    await add_category(client, "OTHER", kind="income")

    assert await outline(client) == [
        ("Food", ["Other"]),
        ("Home", ["other"]),
        ("OTHER", []),
    ]


@pytest.mark.parametrize("kind", ["expense", "income"])
async def test_a_top_level_name_already_used_ignoring_case_is_refused_with_409(client, kind):
    await add_category(client, "Food")

    response = await client.post(CATEGORIES, json={"name": "FOOD", "kind": kind})

    assert_problem(response, 409)
    assert await outline(client) == [("Food", [])]


async def test_a_name_differing_only_in_the_case_of_an_accented_letter_is_a_duplicate(client):
    await add_category(client, "Épicerie")

    response = await client.post(CATEGORIES, json={"name": "épicerie", "kind": "expense"})

    assert_problem(response, 409)
    assert await outline(client) == [("Épicerie", [])]


# --- starter set ------------------------------------------------------------------------------


async def test_the_starter_set_answers_201_with_the_tree_it_made(client):
    response = await client.post(f"{CATEGORIES}/starter-set")

    assert response.status_code == 201
    made = [(top["name"], [child["name"] for child in top["children"]]) for top in response.json()]
    assert made == await outline(client)
    assert ("Food", ["Groceries", "Restaurants"]) in made
    assert {top["kind"] for top in response.json()} == {"income", "expense"}


async def test_the_starter_set_is_a_conflict_once_there_are_categories(client):
    await add_category(client, "Mine")

    response = await client.post(f"{CATEGORIES}/starter-set")

    assert_problem(response, 409)
    assert await outline(client) == [("Mine", [])]


# --- get --------------------------------------------------------------------------------------


async def test_a_category_is_read_by_id(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    assert await get_category(client, groceries["id"]) == groceries
    assert "children" not in await get_category(client, food["id"])


async def test_a_missing_category_is_404_problem_details(client):
    body = assert_problem(await client.get(f"{CATEGORIES}/999"), 404)
    assert "999" in body["detail"]


async def test_a_category_id_that_is_not_a_number_is_refused(client):
    assert_problem(await client.get(f"{CATEGORIES}/food"), 422, field="category_id")


# --- update -----------------------------------------------------------------------------------


async def test_renaming_a_category(client):
    food = await add_category(client, "Food")

    response = await patch(client, food["id"], name="Food & drink")

    assert response.status_code == 200, response.text
    assert response.json() == {**food, "name": "Food & drink"}
    assert await get_category(client, food["id"]) == response.json()


async def test_a_category_can_be_renamed_to_a_different_case_of_its_own_name(client):
    food = await add_category(client, "food")

    response = await patch(client, food["id"], name="Food")

    assert response.status_code == 200, response.text
    assert (await get_category(client, food["id"]))["name"] == "Food"


async def test_renaming_onto_a_siblings_name_ignoring_case_is_refused_with_409(client):
    food = await add_category(client, "Food")
    await add_category(client, "Groceries", parent_id=food["id"])
    coffee = await add_category(client, "Coffee", parent_id=food["id"])

    response = await patch(client, coffee["id"], name="GROCERIES")

    assert_problem(response, 409)
    assert await get_category(client, coffee["id"]) == coffee


async def test_renaming_onto_a_top_level_name_ignoring_case_is_refused_with_409(client):
    await add_category(client, "Food")
    home = await add_category(client, "Home")

    response = await patch(client, home["id"], name="food")

    assert_problem(response, 409)
    assert await get_category(client, home["id"]) == home


async def test_moving_under_a_parent_of_another_kind_must_change_the_kind_explicitly(client):
    work = await add_category(client, "Work", kind="income")
    refunds = await add_category(client, "Refunds", kind="expense")

    refused = await patch(client, refunds["id"], parent_id=work["id"])
    assert_problem(refused, 422, field="parent_id")
    assert await get_category(client, refunds["id"]) == refunds

    response = await patch(client, refunds["id"], parent_id=work["id"], kind="income")

    assert response.status_code == 200, response.text
    assert response.json() == {**refunds, "parent_id": work["id"], "kind": "income"}
    assert await get_category(client, refunds["id"]) == response.json()
    assert await outline(client) == [("Work", ["Refunds"])]


async def test_moving_a_child_under_another_parent(client):
    food = await add_category(client, "Food")
    home = await add_category(client, "Home")
    snacks = await add_category(client, "Snacks", parent_id=food["id"])

    response = await patch(client, snacks["id"], parent_id=home["id"])

    assert response.status_code == 200, response.text
    assert await outline(client) == [("Food", []), ("Home", ["Snacks"])]


async def test_moving_a_child_to_the_top_level_with_a_null_parent_keeps_its_kind(client):
    work = await add_category(client, "Work", kind="income")
    bonus = await add_category(client, "Bonus", parent_id=work["id"])

    response = await patch(client, bonus["id"], parent_id=None)

    assert response.status_code == 200, response.text
    assert response.json() == {**bonus, "parent_id": None}
    assert await get_category(client, bonus["id"]) == response.json()
    assert await outline(client) == [("Bonus", []), ("Work", [])]


async def test_a_child_moved_to_the_top_level_may_take_another_kind_in_the_same_request(client):
    food = await add_category(client, "Food")
    refunds = await add_category(client, "Refunds", parent_id=food["id"])

    response = await patch(client, refunds["id"], parent_id=None, kind="income")

    assert response.status_code == 200, response.text
    assert await get_category(client, refunds["id"]) == {
        **refunds,
        "parent_id": None,
        "kind": "income",
    }


async def test_moving_a_category_with_children_under_another_is_refused(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    home = await add_category(client, "Home")

    response = await patch(client, food["id"], parent_id=home["id"])

    assert_problem(response, 422, field="parent_id")
    assert await get_category(client, food["id"]) == food
    assert await get_category(client, groceries["id"]) == groceries
    assert await outline(client) == [("Food", ["Groceries"]), ("Home", [])]


async def test_a_category_cannot_be_its_own_parent(client):
    food = await add_category(client, "Food")

    response = await patch(client, food["id"], parent_id=food["id"])

    assert_problem(response, 422, field="parent_id")
    assert await get_category(client, food["id"]) == food


async def test_moving_under_a_child_is_refused_as_a_second_level(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    coffee = await add_category(client, "Coffee")

    response = await patch(client, coffee["id"], parent_id=groceries["id"])

    assert_problem(response, 422, field="parent_id")
    assert await get_category(client, coffee["id"]) == coffee


async def test_moving_under_a_missing_parent_is_refused(client):
    food = await add_category(client, "Food")

    response = await patch(client, food["id"], parent_id=999)

    assert_problem(response, 422, field="parent_id")
    assert await get_category(client, food["id"]) == food


async def test_moving_with_a_kind_the_new_parent_does_not_have_is_refused(client):
    food = await add_category(client, "Food", kind="expense")
    tips = await add_category(client, "Tips", kind="income")

    response = await patch(client, tips["id"], parent_id=food["id"], kind="income")

    assert_problem(response, 422, field="kind")
    assert await get_category(client, tips["id"]) == tips


async def test_moving_next_to_a_sibling_with_the_same_name_is_refused_with_409(client):
    food = await add_category(client, "Food")
    await add_category(client, "Other", parent_id=food["id"])
    other = await add_category(client, "other")

    response = await patch(client, other["id"], parent_id=food["id"])

    assert_problem(response, 409)
    assert await get_category(client, other["id"]) == other
    assert await outline(client) == [("Food", ["Other"]), ("other", [])]


async def test_moving_to_the_top_next_to_a_category_with_the_same_name_is_refused_with_409(
    client,
):
    food = await add_category(client, "Food")
    home = await add_category(client, "Home")
    inner = await add_category(client, "food", parent_id=home["id"])

    response = await patch(client, inner["id"], parent_id=None)

    assert_problem(response, 409)
    assert await get_category(client, inner["id"]) == inner
    assert await outline(client) == [("Food", []), ("Home", ["food"])]
    assert await get_category(client, food["id"]) == food


async def test_changing_a_parents_kind_changes_its_childrens_kind_too(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    coffee = await add_category(client, "Coffee", parent_id=food["id"])
    home = await add_category(client, "Home")

    response = await patch(client, food["id"], kind="income")

    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "income"
    assert (await get_category(client, groceries["id"]))["kind"] == "income"
    assert (await get_category(client, coffee["id"]))["kind"] == "income"
    assert (await get_category(client, home["id"]))["kind"] == "expense"
    listed = {top["name"]: top for top in await tree(client)}
    assert [c["kind"] for c in listed["Food"]["children"]] == ["income", "income"]


async def test_changing_a_childs_kind_is_refused(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    response = await patch(client, groceries["id"], kind="income")

    assert_problem(response, 422, field="kind")
    assert await get_category(client, groceries["id"]) == groceries
    assert await get_category(client, food["id"]) == food


async def test_restating_a_childs_kind_is_allowed(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    response = await patch(client, groceries["id"], kind="expense", name="Supermarket")

    assert response.status_code == 200, response.text
    assert response.json() == {**groceries, "name": "Supermarket"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, "name"),
        ({"kind": None}, "kind"),
        ({"name": ""}, "name"),
        ({"kind": "savings"}, "kind"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_an_invalid_change_is_refused_and_the_field_named(client, changes, field):
    food = await add_category(client, "Food")

    response = await client.patch(f"{CATEGORIES}/{food['id']}", json=changes)

    assert_problem(response, 422, field=field)
    assert await get_category(client, food["id"]) == food


async def test_an_empty_patch_changes_nothing(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    response = await patch(client, groceries["id"])

    assert response.status_code == 200, response.text
    assert response.json() == groceries


async def test_changing_a_missing_category_is_404(client):
    assert_problem(await patch(client, 999, name="Anything"), 404)


# --- delete -----------------------------------------------------------------------------------


@pytest.fixture
async def checking(client) -> int:
    account = await add_account(client, "Checking", opening_balance="100.00")
    return int(account["id"])


async def test_deleting_a_category_answers_204_and_then_it_is_gone(client):
    food = await add_category(client, "Food")
    await add_category(client, "Home")

    response = await client.delete(f"{CATEGORIES}/{food['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"{CATEGORIES}/{food['id']}"), 404)
    assert await outline(client) == [("Home", [])]
    assert_problem(await client.delete(f"{CATEGORIES}/{food['id']}"), 404)


async def test_deleting_a_child_leaves_its_parent(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])

    assert (await client.delete(f"{CATEGORIES}/{groceries['id']}")).status_code == 204

    assert await outline(client) == [("Food", [])]


async def test_a_category_used_by_a_transaction_cannot_be_deleted(client, checking):
    food = await add_category(client, "Food")
    transaction = await add_transaction(
        client, account_id=checking, amount="-5.00", category_id=food["id"]
    )

    response = await client.delete(f"{CATEGORIES}/{food['id']}")

    body = assert_problem(response, 409)
    assert "replace_with" in body["detail"]
    assert await get_category(client, food["id"]) == food
    assert (await get_transaction(client, transaction["id"]))["category_id"] == food["id"]


async def test_deleting_with_a_replacement_moves_the_transaction_lines_to_it(client, checking):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    home = await add_category(client, "Home")
    simple = await add_transaction(
        client, account_id=checking, amount="-5.00", category_id=groceries["id"]
    )
    split = await add_transaction(
        client,
        account_id=checking,
        splits=[
            {"category_id": groceries["id"], "amount": "-3.00"},
            {"category_id": home["id"], "amount": "-2.00"},
        ],
    )
    untouched = await add_transaction(
        client, account_id=checking, amount="-1.00", category_id=home["id"]
    )

    response = await client.delete(
        f"{CATEGORIES}/{groceries['id']}", params={"replace_with": food["id"]}
    )

    assert response.status_code == 204, response.text
    assert_problem(await client.get(f"{CATEGORIES}/{groceries['id']}"), 404)
    assert (await get_transaction(client, simple["id"]))["category_id"] == food["id"]
    moved = await get_transaction(client, split["id"])
    assert [(line["category_id"], line["amount"]) for line in moved["splits"]] == [
        (food["id"], "-3.00"),
        (home["id"], "-2.00"),
    ]
    assert (await get_transaction(client, untouched["id"]))["category_id"] == home["id"]
    assert await outline(client) == [("Food", []), ("Home", [])]
    account = await client.get(f"{API}/accounts/{checking}")
    assert account.json()["balance"] == "89.00"


async def test_deleting_an_unused_category_with_a_replacement_just_deletes_it(client):
    food = await add_category(client, "Food")
    home = await add_category(client, "Home")

    response = await client.delete(
        f"{CATEGORIES}/{food['id']}", params={"replace_with": home["id"]}
    )

    assert response.status_code == 204, response.text
    assert await outline(client) == [("Home", [])]


@pytest.mark.parametrize("replacement", ["itself", "missing", "of another kind"])
async def test_a_replacement_that_is_itself_missing_or_of_another_kind_is_refused(
    client, checking, replacement
):
    food = await add_category(client, "Food")
    transaction = await add_transaction(
        client, account_id=checking, amount="-5.00", category_id=food["id"]
    )
    replace_with = {"itself": food["id"], "missing": 999}.get(replacement)
    if replace_with is None:
        replace_with = (await add_category(client, "Pay", kind="income"))["id"]

    response = await client.delete(
        f"{CATEGORIES}/{food['id']}", params={"replace_with": replace_with}
    )

    assert_problem(response, 422, field="replace_with")
    assert await get_category(client, food["id"]) == food
    assert (await get_transaction(client, transaction["id"]))["category_id"] == food["id"]


async def test_a_replacement_that_is_not_a_number_is_refused(client):
    food = await add_category(client, "Food")

    response = await client.delete(f"{CATEGORIES}/{food['id']}", params={"replace_with": "home"})

    assert_problem(response, 422, field="replace_with")
    assert await get_category(client, food["id"]) == food


@pytest.mark.parametrize("with_replacement", [False, True])
async def test_a_category_with_subcategories_cannot_be_deleted(client, with_replacement):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    home = await add_category(client, "Home")
    params = {"replace_with": home["id"]} if with_replacement else {}

    response = await client.delete(f"{CATEGORIES}/{food['id']}", params=params)

    body = assert_problem(response, 409)
    assert "subcategories" in body["detail"]
    assert await get_category(client, food["id"]) == food
    assert await get_category(client, groceries["id"]) == groceries
    assert await outline(client) == [("Food", ["Groceries"]), ("Home", [])]


async def test_a_parent_can_be_deleted_once_its_children_are(client):
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    assert_problem(await client.delete(f"{CATEGORIES}/{food['id']}"), 409)

    assert (await client.delete(f"{CATEGORIES}/{groceries['id']}")).status_code == 204
    assert (await client.delete(f"{CATEGORIES}/{food['id']}")).status_code == 204
    assert await tree(client) == []


async def test_deleting_a_missing_category_is_404(client):
    assert_problem(await client.delete(f"{CATEGORIES}/999"), 404)
