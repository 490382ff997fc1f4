"""Every page renders, for an empty ledger and for a year of demo data, as a whole HTML page
that names itself in its heading and its navigation."""

from html.parser import HTMLParser

import pytest

from finance.browser import CSRF_HEADER

EMPTY_LEDGER_PAGES = [
    "/",
    "/accounts",
    "/accounts/new",
    "/transactions",
    "/categories",
    "/categories/new",
    "/settings",
    "/rules",
    "/imports",
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
    shows_money = not path.endswith(("/edit", "/new", "/delete", "/settings", "/rules", "/imports"))
    assert "$" in response.text or not shows_money


class PostForms(HTMLParser):
    """Each `<form method="post">` of a page: its action and the CSRF token it carries."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self._in_post_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._in_post_form = attributes.get("method") == "post"
            if self._in_post_form:
                self.forms.append({"action": attributes.get("action"), "token": None})
        elif tag == "input" and self._in_post_form and attributes.get("name") == "csrf_token":
            self.forms[-1]["token"] = attributes.get("value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False


@pytest.mark.parametrize("path", POPULATED_PAGES)
async def test_every_form_that_posts_carries_the_csrf_token(client, path):
    """Without JavaScript the hidden input is all that proves a form came from this site."""
    assert (await client.post("/demo")).status_code == 303
    response = await client.get(path)
    parser = PostForms()
    parser.feed(response.text)
    assert parser.forms, "every page has at least the Log out form"
    expected = client.headers[CSRF_HEADER]
    assert {form["action"]: form["token"] for form in parser.forms} == {
        form["action"]: expected for form in parser.forms
    }
    assert f'hx-headers=\'{{"X-CSRF-Token": "{expected}"}}\'' in response.text
