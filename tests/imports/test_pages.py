"""The import pages: upload a bank file, check the preview (choosing a CSV's columns when they
cannot be guessed), confirm, and undo, all as plain forms; nothing reaches the database before
confirm, and the file waits on the server under a token only its owner can use."""

import os
import re
import time
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from finance.imports import uploads
from tests.api import API, add_account, get_json
from tests.users import add_user, credentials_for

DATA = Path(__file__).resolve().parent.parent / "data"
UNGUESSABLE = b"When,Who,How much\n2026-10-01,Corner Cafe,-3.50\n2026-10-02,Book Nook,-12.00\n"
"""A CSV whose payee column has a name no bank uses: its columns must be chosen."""
MAPPING = {
    "date_column": "When",
    "payee_column": "Who",
    "amount_column": "How much",
    "date_format": "%Y-%m-%d",
    "decimal_separator": ".",
}


class Forms(HTMLParser):
    """The forms of a page: each one's inputs (and selected options) by name, by form id."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = self.forms.setdefault(attributes.get("id", ""), {})
        elif self._form is None:
            return
        elif tag == "input" and attributes.get("type") not in ("checkbox", "file"):
            self._form[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes["name"]
            self._form.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self._form[self._select] = attributes["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def form(response: Response, form_id: str) -> dict[str, str]:
    """The fields a browser would send with the form, as the page fills them."""
    parser = Forms()
    parser.feed(response.text)
    assert form_id in parser.forms, f"no form #{form_id} on the page"
    return parser.forms[form_id]


@pytest.fixture(autouse=True)
def stash_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stashed uploads go to this test's own folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setattr(uploads, "STASH_DIR", folder)
    return folder


async def upload(
    client: AsyncClient, account_id: int, name: str, data: bytes | None = None, **fields: str
) -> Response:
    """Choose the file on the import page and press Preview, as a browser sends it."""
    content = data if data is not None else (DATA / name).read_bytes()
    return await client.post(
        "/imports/preview",
        data={"account_id": str(account_id), "format": "", **fields},
        files={"file": (name, content, "text/csv")},
    )


async def ledger(client: AsyncClient) -> list[dict[str, object]]:
    return list((await get_json(client, f"{API}/transactions", limit=500))["items"])


async def test_a_csv_previews_then_imports_and_can_be_undone(client, owner):
    account = await add_account(client, "Everyday")
    preview = await upload(client, account["id"], "checking-2026-10.csv")
    assert preview.status_code == 200, preview.text
    assert 'New transactions</div><div class="value">73<' in preview.text
    assert "$2,029.45" in preview.text
    assert "Acme Corp Payroll" in preview.text  # a sample row, and a line
    assert form(preview, "preview-form")["amount_column"] == "Amount"
    assert await ledger(client) == [], "a preview writes nothing"
    confirm = form(preview, "confirm-form")
    stashed = uploads.path_of(owner.id, confirm["token"])
    assert stashed.exists()

    done = await client.post("/imports/confirm", data=confirm)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/imports?imported=1"
    assert len(await ledger(client)) == 73
    assert not stashed.exists()
    listed = await client.get(done.headers["location"])
    assert "Imported 73 transactions (0 duplicates skipped)." in listed.text
    assert "checking-2026-10.csv" in listed.text and 'href="/imports/1/undo"' in listed.text

    asked = await client.get("/imports/1/undo")
    assert asked.status_code == 200 and "it added 73 transactions" in asked.text
    undone = await client.post("/imports/1/undo", data=form(asked, "undo-form"))
    assert undone.status_code == 303 and undone.headers["location"] == "/imports?undone=1"
    assert await ledger(client) == []
    listed = await client.get(undone.headers["location"])
    assert "Undid the import of checking-2026-10.csv" in listed.text
    assert '<span class="badge">Undone</span>' in listed.text


async def test_the_same_file_again_shows_its_lines_as_duplicates(client):
    account = await add_account(client)
    first = await upload(client, account["id"], "cash-2026-10.qif")
    assert (await client.post("/imports/confirm", data=form(first, "confirm-form"))).is_redirect
    again = await upload(client, account["id"], "cash-2026-10.qif")
    assert again.text.count('<span class="badge">duplicate</span>') == 14
    assert "Nothing new to import" in again.text and 'id="confirm-form"' not in again.text


@pytest.mark.parametrize(
    ("name", "message"),
    [("binary.csv", "binary"), ("empty.csv", "empty"), ("truncated.ofx", "truncated")],
)
async def test_an_unreadable_file_is_refused_beside_the_file_field(
    client, stash_dir, name, message
):
    account = await add_account(client)
    refused = await upload(client, account["id"], name, (DATA / "malformed" / name).read_bytes())
    assert refused.status_code == 422
    assert 'id="file-error"' in refused.text and message in refused.text
    assert form(refused, "upload-form")["account_id"] == str(account["id"])
    assert list(stash_dir.iterdir()) == [], "a refused file is not kept"


async def test_lines_that_cannot_be_read_are_listed_and_stop_the_import(client):
    account = await add_account(client)
    bad = (DATA / "malformed" / "bad-amount.csv").read_bytes()
    preview = await upload(client, account["id"], "bad-amount.csv", bad)
    assert preview.status_code == 200
    assert "Line 3: Amount &#39;twelve&#39; is not an amount" in preview.text
    assert "cannot be imported until these lines are fixed" in preview.text
    refused = await client.post("/imports/confirm", data=form(preview, "confirm-form"))
    assert refused.status_code == 422 and "nothing was imported" in refused.text
    assert await ledger(client) == []


async def test_problems_come_first_and_the_other_lines_import_when_asked(client):
    account = await add_account(client)
    bad = (DATA / "malformed" / "bad-date.csv").read_bytes()
    preview = await upload(client, account["id"], "bad-date.csv", bad)
    assert preview.status_code == 200
    problems = preview.text.index('id="problems"')
    assert problems < preview.text.index('id="preview-form"')
    assert "<code>2026-13-45,Broken date,-1.00</code>" in preview.text
    box = 'name="skip_problem_lines">'
    assert box in preview.text, "the box is there, and not ticked"
    assert "Leave out the 1 problem line listed above and import the other 2" in preview.text
    fields = {**form(preview, "confirm-form"), "skip_problem_lines": "on"}
    done = await client.post("/imports/confirm", data=fields)
    assert done.status_code == 303, done.text
    assert {line["payee"] for line in await ledger(client)} == {"Coffee", "Tea"}
    listed = await client.get(done.headers["location"])
    assert "1 line left out" in listed.text
    assert "Line 3: Date &#39;2026-13-45&#39; is not a date in YYYY-MM-DD" in listed.text


async def test_a_statement_from_before_the_opening_date_moves_it_back_when_asked(client):
    account = await add_account(client, opening_date="2026-10-15")
    preview = await upload(client, account["id"], "checking-2026-10.csv")
    assert preview.status_code == 200, preview.text
    assert "28 lines are dated before Checking's opening date (Oct 15, 2026)" in preview.text
    assert "Move Checking's opening date back to Oct 1, 2026" in preview.text
    refused = await client.post("/imports/confirm", data=form(preview, "confirm-form"))
    assert refused.status_code == 422 and await ledger(client) == []
    fields = {**form(preview, "confirm-form"), "move_opening_date": "on"}
    done = await client.post("/imports/confirm", data=fields)
    assert done.status_code == 303, done.text
    assert len(await ledger(client)) == 73
    moved = await get_json(client, f"{API}/accounts/{account['id']}")
    assert moved["opening_date"] == "2026-10-01"


async def test_a_csv_whose_columns_cannot_be_guessed_asks_for_them(client):
    account = await add_account(client)
    asked = await upload(client, account["id"], "mystery.csv", UNGUESSABLE)
    assert asked.status_code == 200
    assert "choose which column holds the date" in asked.text
    assert "Corner Cafe" in asked.text  # the sample rows to choose from
    assert 'id="confirm-form"' not in asked.text
    fields = form(asked, "preview-form")

    incomplete = await client.post("/imports/preview", data={**fields, "date_column": "When"})
    assert incomplete.status_code == 422
    assert 'id="payee_column-error"' in incomplete.text

    mapped = await client.post("/imports/preview", data={**fields, **MAPPING})
    assert mapped.status_code == 200, mapped.text
    assert "-$15.50" in mapped.text
    done = await client.post("/imports/confirm", data=form(mapped, "confirm-form"))
    assert done.status_code == 303
    assert {line["payee"] for line in await ledger(client)} == {"Corner Cafe", "Book Nook"}


async def test_a_mapping_that_does_not_add_up_is_explained_on_the_mapping_form(client):
    account = await add_account(client)
    asked = await upload(client, account["id"], "mystery.csv", UNGUESSABLE)
    both = {**form(asked, "preview-form"), **MAPPING, "debit_column": "Who"}
    refused = await client.post("/imports/preview", data=both)
    assert refused.status_code == 422
    assert 'id="mapping-error"' in refused.text and "not both" in refused.text


async def test_update_preview_with_htmx_answers_only_the_preview(client):
    account = await add_account(client)
    preview = await upload(client, account["id"], "checking-2026-10.csv")
    fields = {**form(preview, "preview-form"), "negate_amounts": "on"}
    updated = await client.post("/imports/preview", data=fields, headers={"HX-Request": "true"})
    assert updated.status_code == 200
    assert updated.text.lstrip().startswith('<div id="import-preview">')
    assert "-$2,029.45" in updated.text  # the signs flipped


async def test_a_file_in_another_currency_is_refused_beside_the_account(client):
    account = await add_account(client, currency="USD")
    refused = await upload(client, account["id"], "girokonto-2026-10.camt053.xml")
    assert refused.status_code == 422
    assert 'id="account_id-error"' in refused.text and "in EUR" in refused.text
    euros = await add_account(client, "Girokonto", currency="EUR")
    fields = {**form(refused, "preview-form"), "account_id": str(euros["id"])}
    fixed = await client.post("/imports/preview", data=fields)
    assert fixed.status_code == 200 and "Import 35 transactions into Girokonto" in fixed.text


async def test_no_file_or_no_account_is_refused_beside_its_field(client):
    account = await add_account(client)
    no_file = await client.post("/imports/preview", data={"account_id": str(account["id"])})
    assert no_file.status_code == 422 and 'id="file-error"' in no_file.text
    no_account = await upload(client, 0, "checking-2026-10.csv")
    assert no_account.status_code == 422 and 'id="account_id-error"' in no_account.text


async def test_a_file_over_the_limit_is_refused_with_413(app, client):
    app.state.settings = app.state.settings.model_copy(update={"import_max_megabytes": 1})
    account = await add_account(client)
    refused = await client.post(
        "/imports/preview",
        data={"account_id": str(account["id"])},
        files={"file": ("big.csv", b"x" * (1024 * 1024 + 1))},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 413
    assert "larger than 1 MB" in refused.text and refused.text.startswith("<!doctype html>")


@pytest.fixture
async def other_client(app: FastAPI, db) -> AsyncIterator[AsyncClient]:
    """Another user, logged in in another browser."""
    credentials = await credentials_for(db, await add_user(db, "other@example.com"))
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://test",
        cookies=credentials.cookies,
        headers=credentials.headers,
    ) as http:
        yield http


@pytest.mark.parametrize("token", ["owners", "0" * 64, "../../etc/passwd", "ABC"])
async def test_only_the_owner_can_use_an_upload_token(client, other_client, token):
    preview = await upload(client, (await add_account(client))["id"], "checking-2026-10.csv")
    confirm = form(preview, "confirm-form")
    theirs = await add_account(other_client, "Theirs")
    sent = {**confirm, "account_id": str(theirs["id"])}
    if token != "owners":
        sent["token"] = token
    for path in ("/imports/preview", "/imports/confirm"):
        refused = await other_client.post(path, data=sent)
        assert refused.status_code == 422, path
        assert "upload" in refused.text and "expired" in refused.text
    assert await ledger(other_client) == [] and await ledger(client) == []


async def test_an_expired_upload_asks_for_the_file_again_and_is_swept(client, owner):
    account = await add_account(client)
    preview = await upload(client, account["id"], "checking-2026-10.csv")
    confirm = form(preview, "confirm-form")
    stashed = uploads.path_of(owner.id, confirm["token"])
    hour_ago = time.time() - uploads.MAX_AGE_SECONDS - 1
    os.utime(stashed, (hour_ago, hour_ago))

    refused = await client.post("/imports/confirm", data=confirm)
    assert refused.status_code == 422 and "choose the file again" in refused.text
    assert 'id="upload-form"' in refused.text
    assert await ledger(client) == []
    await upload(client, account["id"], "checking-2026-10.csv")
    assert not stashed.exists(), "stashing a new file sweeps the old ones"


async def test_undoing_an_import_of_reconciled_transactions_is_refused_with_the_reason(client):
    account = await add_account(client)
    preview = await upload(client, account["id"], "cash-2026-10.qif")
    assert (await client.post("/imports/confirm", data=form(preview, "confirm-form"))).is_redirect
    first = (await ledger(client))[0]
    reconciled = await client.patch(
        f"{API}/transactions/{first['id']}", json={"status": "reconciled"}
    )
    assert reconciled.status_code == 200, reconciled.text
    asked = await client.get("/imports/1/undo")
    refused = await client.post("/imports/1/undo", data=form(asked, "undo-form"))
    assert refused.status_code == 409 and "reconciled" in refused.text
    assert len(await ledger(client)) == 14


async def test_another_users_import_is_not_found(client, other_client):
    preview = await upload(client, (await add_account(client))["id"], "cash-2026-10.qif")
    await client.post("/imports/confirm", data=form(preview, "confirm-form"))
    html = {"Accept": "text/html"}
    assert (await other_client.get("/imports/1/undo", headers=html)).status_code == 404
    assert (await other_client.post("/imports/1/undo", headers=html)).status_code == 404
    listed = await other_client.get("/imports?imported=1")
    assert "cash-2026-10.qif" not in listed.text and "Imported" not in listed.text


async def test_the_ofx_of_a_statement_imported_as_csv_shows_probably_already_imported(client):
    account = await add_account(client, "Everyday")
    first = await upload(client, account["id"], "checking-2026-10.csv")
    assert (await client.post("/imports/confirm", data=form(first, "confirm-form"))).is_redirect
    preview = await upload(client, account["id"], "checking-2026-10.ofx")
    assert preview.status_code == 200, preview.text
    assert preview.text.count("probably already imported</span>") == 73
    assert 'New transactions</div><div class="value">0<' in preview.text
    existing = [t["id"] for t in await ledger(client)]
    assert f'href="/transactions/{existing[0]}"' in preview.text
    confirm = form(preview, "confirm-form")
    ticked = re.findall(r'name="import_anyway" value="(\d+)"', preview.text)[5]
    done = await client.post("/imports/confirm", data={**confirm, "import_anyway": [ticked]})
    assert done.status_code == 303, done.text
    assert len(await ledger(client)) == 74


async def test_a_payment_seen_from_both_accounts_is_offered_as_a_transfer(client):
    checking = await add_account(client, "Checking")
    visa = await add_account(client, "Visa", type="credit_card")
    paid = b"Date,Description,Amount\n2026-10-05,VISA PAYMENT,-200.00\n"
    first = await upload(client, checking["id"], "checking.csv", paid)
    assert (await client.post("/imports/confirm", data=form(first, "confirm-form"))).is_redirect
    received = b"Date,Description,Amount\n2026-10-07,PAYMENT THANK YOU,200.00\n"
    preview = await upload(client, visa["id"], "visa.csv", received)
    assert "transfer with Checking</span>" in preview.text
    done = await client.post("/imports/confirm", data=form(preview, "confirm-form"))
    assert done.status_code == 303, done.text
    transactions = await ledger(client)
    assert [(t["type"], t["payee"]) for t in transactions] == [("transfer", "VISA PAYMENT")]
    refused = await client.post("/imports/1/undo", data={})
    assert refused.status_code == 409
    assert "undo import 2 first" in refused.text
    assert (await client.post("/imports/2/undo", data={})).status_code == 303
    assert [t["type"] for t in await ledger(client)] == ["simple"]


async def test_a_quicken_full_export_previews_its_bank_records(client):
    account = await add_account(client)
    data = (DATA / "others" / "quicken-full-export.qif").read_bytes()
    preview = await upload(client, account["id"], "quicken.qif", data)
    assert preview.status_code == 200, preview.text
    assert 'New transactions</div><div class="value">3<' in preview.text
    assert "Acme Payroll" in preview.text
