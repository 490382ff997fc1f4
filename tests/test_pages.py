"""Every page renders, for an empty ledger and for a year of demo data, as a whole HTML page
that names itself in its heading and its navigation."""

import pytest

EMPTY_LEDGER_PAGES = [
    "/",
    "/accounts",
    "/accounts/new",
    "/transactions",
    "/categories",
    "/categories/new",
]
POPULATED_PAGES = [
    *EMPTY_LEDGER_PAGES,
    "/accounts?archived=true",
    "/accounts/1",
    "/accounts/1/edit",
    "/transactions?account_id=1&q=rent",
    "/transactions/1/edit",
    "/transactions/1/delete",
    "/categories/5/edit",
    "/categories/5/delete",
]


@pytest.mark.parametrize("path", EMPTY_LEDGER_PAGES)
async def test_every_page_renders_for_an_empty_ledger(client, path):
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.text.startswith("<!doctype html>")
    assert "<h1>" in response.text and 'aria-current="page"' in response.text


@pytest.mark.parametrize("path", POPULATED_PAGES)
async def test_every_page_renders_with_a_year_of_data(client, path):
    assert (await client.post("/demo")).status_code == 303
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert "<h1>" in response.text
    shows_money = not path.endswith(("/edit", "/new", "/delete"))
    assert "$" in response.text or not shows_money
