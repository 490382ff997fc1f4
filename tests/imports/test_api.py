"""The import API: every sample file previews and imports with the figures its bank states,
nothing is written before confirm, a file comes in once, bad files change nothing, and an import
is undone as a whole."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response

from finance.config import Settings
from tests.api import API, add_account, assert_problem, created, get_json

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = [
    # file, currency, transactions, net sum, first date, last date
    ("checking-2026-10.csv", "USD", 73, "2029.45", "2026-10-01", "2026-10-31"),
    ("creditcard-2026-10.csv", "USD", 30, "-1545.08", "2026-10-02", "2026-10-30"),
    ("girokonto-2026-10.csv", "EUR", 35, "4074.32", "2026-10-01", "2026-10-29"),
    ("checking-2026-10.ofx", "USD", 73, "2029.45", "2026-10-01", "2026-10-31"),
    ("creditcard-2026-10.qfx", "USD", 30, "-1545.08", "2026-10-02", "2026-10-30"),
    ("cash-2026-10.qif", "USD", 14, "5847.59", "2026-10-01", "2026-10-31"),
    ("girokonto-2026-10.camt053.xml", "EUR", 35, "4074.32", "2026-10-01", "2026-10-29"),
]
REFUSED = [
    ("billion-laughs.xml", "entities"),
    ("binary.csv", "binary"),
    ("empty.csv", "empty"),
    ("header-only.csv", "no transactions"),
    ("not-xml.xml", "not an XML file"),
    ("truncated.ofx", "truncated"),
]
"""Files refused whole, and what the message says."""
WITH_BAD_LINES = [
    ("bad-amount.csv", 3, "'twelve' is not an amount"),
    ("bad-date.csv", 3, "'2026-13-45' is not a date"),
    ("ragged.csv", 2, "2 fields where the header has 3"),
]
"""Files whose preview lists the lines at fault, and which confirm refuses."""


async def upload(
    client: AsyncClient, path: str, account_id: int, name: str, data: bytes, **fields: str
) -> Response:
    return await client.post(
        f"{API}/imports{path}",
        data={"account_id": str(account_id), **fields},
        files={"file": (name, data)},
    )


async def sample(client: AsyncClient, path: str, account_id: int, name: str) -> Response:
    return await upload(client, path, account_id, name, (DATA / name).read_bytes())


async def account_in(client: AsyncClient, currency: str, name: str = "Bank") -> int:
    return int((await add_account(client, name, currency=currency))["id"])


async def ledger(client: AsyncClient) -> list[dict[str, Any]]:
    page = await get_json(client, f"{API}/transactions", limit=500)
    return list(page["items"])


@pytest.mark.parametrize(("name", "currency", "count", "net", "first", "last"), SAMPLES)
async def test_every_sample_previews_then_imports_with_its_stated_figures(
    client, name, currency, count, net, first, last
):
    account_id = await account_in(client, currency)
    preview = await sample(client, "/preview", account_id, name)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert (shown["new"], shown["duplicates"], shown["net"]) == (count, 0, net)
    assert shown["problems"] == []
    dates = sorted(line["date"] for line in shown["lines"])
    assert (dates[0], dates[-1]) == (first, last)
    assert await ledger(client) == [], "a preview writes nothing"

    batch = created(await sample(client, "", account_id, name))
    assert (batch["added"], batch["duplicates"]) == (count, 0)
    balance = (await get_json(client, f"{API}/accounts/{account_id}"))["balance"]
    assert balance == f"{net}"


@pytest.mark.parametrize(
    ("csv_name", "ofx_name"),
    [
        ("checking-2026-10.csv", "checking-2026-10.ofx"),
        ("creditcard-2026-10.csv", "creditcard-2026-10.qfx"),
    ],
)
async def test_the_csv_and_ofx_of_one_statement_give_the_same_transactions(
    client, csv_name, ofx_name
):
    lines = []
    for name in (csv_name, ofx_name):
        preview = await sample(client, "/preview", await account_in(client, "USD", name), name)
        lines.append(sorted((line["date"], line["amount"]) for line in preview.json()["lines"]))
    assert lines[0] == lines[1]


async def test_a_file_imported_again_adds_nothing(client):
    account_id = await account_in(client, "USD")
    created(await sample(client, "", account_id, "checking-2026-10.csv"))
    again = created(await sample(client, "", account_id, "checking-2026-10.csv"))
    assert (again["added"], again["duplicates"]) == (0, 73)
    assert len(await ledger(client)) == 73


async def test_overlapping_statements_add_their_union_once(client):
    account_id = await account_in(client, "USD")
    lines = (DATA / "checking-2026-10.csv").read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    first, second = b"".join([header, *rows[:50]]), b"".join([header, *rows[30:]])
    created(await upload(client, "", account_id, "first.csv", first))
    overlap = created(await upload(client, "", account_id, "second.csv", second))
    assert (overlap["added"], overlap["duplicates"]) == (23, 20)
    assert len(await ledger(client)) == 73


@pytest.mark.parametrize(("name", "message"), REFUSED)
async def test_a_broken_file_is_refused_naming_it_and_its_fault(client, name, message):
    account_id = await account_in(client, "USD")
    data = (DATA / "malformed" / name).read_bytes()
    for path in ("/preview", ""):
        problem = assert_problem(await upload(client, path, account_id, name, data), 422)
        assert name in problem["detail"] and message in problem["detail"], problem["detail"]
    assert await ledger(client) == []
    assert await get_json(client, f"{API}/imports") == []


@pytest.mark.parametrize(("name", "line", "message"), WITH_BAD_LINES)
async def test_bad_lines_are_listed_in_the_preview_and_stop_the_import(client, name, line, message):
    account_id = await account_in(client, "USD")
    data = (DATA / "malformed" / name).read_bytes()
    preview = await upload(client, "/preview", account_id, name, data)
    assert preview.status_code == 200, preview.text
    problems = preview.json()["problems"]
    assert problems[0]["line"] == line and message in problems[0]["message"], problems
    problem = assert_problem(await upload(client, "", account_id, name, data), 422)
    assert f"{name}: " in problem["detail"] and f"first line {line}: " in problem["detail"]
    assert "nothing was imported" in problem["detail"]
    assert await ledger(client) == []
    assert await get_json(client, f"{API}/imports") == []


async def test_text_that_looks_like_a_formula_imports_as_plain_text(client):
    account_id = await account_in(client, "USD")
    data = (DATA / "malformed" / "formula-injection.csv").read_bytes()
    created(await upload(client, "", account_id, "formula-injection.csv", data))
    payees = {line["payee"] for line in await ledger(client)}
    assert any(payee.startswith(("=", "+", "@")) for payee in payees)


async def test_an_upload_over_the_size_limit_is_answered_413(app, client):
    app.state.settings = Settings(
        database_url="sqlite+aiosqlite://", import_max_megabytes=1, _env_file=None
    )
    account_id = await account_in(client, "USD")
    too_big = b"Date,Description,Amount\n" + b"2026-10-01,x,1.00\n" * 70_000
    assert_problem(await upload(client, "", account_id, "big.csv", too_big), 413)
    assert await ledger(client) == []


async def test_a_csv_mapping_is_remembered_for_the_account(client):
    account_id = await account_in(client, "USD")
    odd = b"When;Who;How much\n2026-10-01;Cafe;-4,50\n2026-10-02;Shop;-10,00\n"
    mapping = (
        '{"date_column": "When", "payee_column": "Who", "amount_column": "How much", '
        '"date_format": "%Y-%m-%d", "decimal_separator": ","}'
    )
    created(await upload(client, "", account_id, "first.csv", odd, mapping=mapping))
    next_month = odd.replace(b"2026-10", b"2026-11")
    preview = await upload(client, "/preview", account_id, "next.csv", next_month)
    assert preview.status_code == 200, preview.text
    assert (preview.json()["new"], preview.json()["net"]) == (2, "-14.50")


async def test_a_bad_mapping_names_what_is_wrong(client):
    account_id = await account_in(client, "USD")
    data = (DATA / "checking-2026-10.csv").read_bytes()
    wrong = '{"date_column": "Date", "payee_column": "Nobody", "amount_column": "Amount"}'
    problem = assert_problem(
        await upload(client, "/preview", account_id, "c.csv", data, mapping=wrong), 422
    )
    assert "Nobody" in problem["detail"]
    problem = assert_problem(
        await upload(client, "/preview", account_id, "c.csv", data, mapping="{not json"), 422
    )
    assert problem["errors"][0]["field"] == "mapping"


async def test_undo_deletes_exactly_what_the_import_added(client):
    account_id = await account_in(client, "USD")
    kept = created(
        await client.post(
            f"{API}/transactions",
            json={"account_id": account_id, "date": "2026-10-02", "amount": "-1.00"},
        )
    )
    batch = created(await sample(client, "", account_id, "cash-2026-10.qif"))
    undone = await client.delete(f"{API}/imports/{batch['id']}")
    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_at"] is not None
    assert [line["id"] for line in await ledger(client)] == [kept["id"]]
    assert_problem(await client.delete(f"{API}/imports/{batch['id']}"), 409)
    again = created(await sample(client, "", account_id, "cash-2026-10.qif"))
    assert again["added"] == 14


async def test_imports_are_listed_newest_first(client):
    account_id = await account_in(client, "USD")
    first = created(await sample(client, "", account_id, "cash-2026-10.qif"))
    second = created(await sample(client, "", account_id, "checking-2026-10.csv"))
    listed = await get_json(client, f"{API}/imports")
    assert [batch["id"] for batch in listed] == [second["id"], first["id"]]
    assert (await get_json(client, f"{API}/imports/{first['id']}"))["filename"] == (
        "cash-2026-10.qif"
    )


SAME_STATEMENT = [
    # imported first, then the same statement in another format, currency, lines
    ("checking-2026-10.csv", "checking-2026-10.ofx", "USD", 73),
    ("creditcard-2026-10.csv", "creditcard-2026-10.qfx", "USD", 30),
    ("girokonto-2026-10.camt053.xml", "girokonto-2026-10.csv", "EUR", 35),
]
CHECKING_PAYS_VISA = (
    b"Date,Description,Amount\n2026-10-03,Whole Foods,-54.23\n2026-10-05,VISA PAYMENT,-200.00\n"
)
VISA_PAID = b"Date,Description,Amount\n2026-10-07,PAYMENT THANK YOU,200.00\n"


@pytest.mark.parametrize(("first", "second", "currency", "count"), SAME_STATEMENT)
async def test_a_statement_imported_in_another_format_is_probably_imported_already(
    client, first, second, currency, count
):
    account_id = await account_in(client, currency)
    created(await sample(client, "", account_id, first))
    preview = await sample(client, "/preview", account_id, second)
    assert preview.status_code == 200
    body = preview.json()
    assert (body["new"], body["probably_imported"]) == (0, count)
    assert {line["match"]["kind"] for line in body["lines"]} == {"probably_imported"}
    ids = {transaction["id"] for transaction in await ledger(client)}
    assert {line["match"]["transaction_id"] for line in body["lines"]} == ids
    batch = created(await sample(client, "", account_id, second))
    assert (batch["added"], batch["duplicates"]) == (0, count)
    assert len(await ledger(client)) == count


async def test_a_line_probably_imported_goes_in_when_the_person_says_so(client):
    account_id = await account_in(client, "USD")
    created(await sample(client, "", account_id, "checking-2026-10.csv"))
    data = (DATA / "checking-2026-10.ofx").read_bytes()
    refused = await client.post(
        f"{API}/imports",
        data={"account_id": str(account_id), "keep_separate": ["44"]},
        files={"file": ("checking.ofx", data)},
    )
    assert_problem(refused, 422, field="keep_separate")
    preview = (await upload(client, "/preview", account_id, "checking.ofx", data)).json()
    chosen = preview["lines"][5]["line"]
    batch = await client.post(
        f"{API}/imports",
        data={"account_id": str(account_id), "import_anyway": [str(chosen)]},
        files={"file": ("checking.ofx", data)},
    )
    assert (created(batch)["added"], created(batch)["duplicates"]) == (1, 72)
    assert len(await ledger(client)) == 74


async def test_a_payment_seen_from_both_accounts_becomes_one_transfer(client):
    checking = await account_in(client, "USD", "Checking")
    visa = int((await add_account(client, "Visa", type="credit_card"))["id"])
    first = created(await upload(client, "", checking, "checking.csv", CHECKING_PAYS_VISA))
    preview = (await upload(client, "/preview", visa, "visa.csv", VISA_PAID)).json()
    match = preview["lines"][0]["match"]
    assert (match["kind"], match["account_name"], preview["transfers"]) == (
        "transfer",
        "Checking",
        1,
    )
    second = created(await upload(client, "", visa, "visa.csv", VISA_PAID))
    transactions = await ledger(client)
    assert len(transactions) == 2
    payment = next(t for t in transactions if t["payee"] == "VISA PAYMENT")
    assert payment["id"] == match["transaction_id"]
    assert (payment["type"], payment["from_account_id"], payment["to_account_id"]) == (
        "transfer",
        checking,
        visa,
    )
    refused = await client.delete(f"{API}/imports/{first['id']}")
    assert_problem(refused, 409)
    assert f"undo import {second['id']} first" in refused.json()["detail"]
    assert (await client.delete(f"{API}/imports/{second['id']}")).status_code == 200
    transactions = await ledger(client)
    assert [
        (t["type"], t["account_id"], t["amount"])
        for t in transactions
        if t["payee"] == "VISA PAYMENT"
    ] == [("simple", checking, "-200.00")]
    assert (await client.delete(f"{API}/imports/{first['id']}")).status_code == 200
    assert await ledger(client) == []


async def test_a_transfer_kept_separate_stays_two_transactions(client):
    checking = await account_in(client, "USD", "Checking")
    visa = int((await add_account(client, "Visa", type="credit_card"))["id"])
    created(await upload(client, "", checking, "checking.csv", CHECKING_PAYS_VISA))
    batch = await client.post(
        f"{API}/imports",
        data={"account_id": str(visa), "keep_separate": ["2"]},
        files={"file": ("visa.csv", VISA_PAID)},
    )
    assert created(batch)["added"] == 1
    assert {t["type"] for t in await ledger(client)} == {"simple"}
    assert len(await ledger(client)) == 3


async def test_bad_lines_can_be_left_out_and_the_batch_lists_them(client):
    account_id = await account_in(client, "USD")
    data = (DATA / "malformed" / "bad-date.csv").read_bytes()
    preview = (await upload(client, "/preview", account_id, "bad-date.csv", data)).json()
    assert (preview["problem_count"], preview["new"]) == (1, 2)
    assert preview["problems"][0]["text"] == "2026-13-45,Broken date,-1.00"
    batch = created(
        await upload(client, "", account_id, "bad-date.csv", data, skip_problem_lines="true")
    )
    assert batch["added"] == 2
    left_out = [
        {
            "line": 3,
            "reason": "Date '2026-13-45' is not a date in YYYY-MM-DD",
            "text": "2026-13-45,Broken date,-1.00",
        }
    ]
    assert batch["left_out"] == left_out
    assert (await get_json(client, f"{API}/imports/{batch['id']}"))["left_out"] == left_out
    assert {line["payee"] for line in await ledger(client)} == {"Coffee", "Tea"}
    await client.delete(f"{API}/imports/{batch['id']}")
    assert await ledger(client) == []


async def test_a_statement_from_before_the_opening_date_moves_it_back_when_asked(client):
    account = await add_account(client, opening_date="2026-10-15")
    name = "checking-2026-10.csv"
    preview = (await sample(client, "/preview", account["id"], name)).json()
    assert preview["first_date"] == "2026-10-01" and preview["before_opening_date"] > 0
    assert preview["problems"] == []
    refused = await sample(client, "", account["id"], name)
    assert "2026-10-01" in assert_problem(refused, 422, field="move_opening_date")["detail"]
    assert await ledger(client) == []
    data = (DATA / name).read_bytes()
    batch = created(await upload(client, "", account["id"], name, data, move_opening_date="true"))
    assert batch["added"] == 73
    moved = await get_json(client, f"{API}/accounts/{account['id']}")
    assert moved["opening_date"] == "2026-10-01"


async def test_an_ofx_without_a_statement_currency_imports_into_its_lines_currency(client):
    data = (DATA / "others" / "ofxparse-v102-empty-tags.ofx").read_bytes()
    aud = (await add_account(client, "Everyday AUD", currency="AUD", opening_date=None))["id"]
    usd = (await add_account(client, "Checking USD", opening_date=None))["id"]
    created(await upload(client, "", aud, "bank.ofx", data))
    assert [line["amount"] for line in await ledger(client)] == ["12.34"]
    preview = (await upload(client, "/preview", usd, "bank.ofx", data)).json()
    assert preview["problems"][0]["message"] == "the amount is in AUD, not in USD like the account"


async def test_a_quicken_full_export_imports_its_bank_records(client):
    account_id = await account_in(client, "USD")
    data = (DATA / "others" / "quicken-full-export.qif").read_bytes()
    batch = created(await upload(client, "", account_id, "quicken.qif", data))
    assert batch["added"] == 3


def statement(lines: int) -> bytes:
    """A CSV of `lines` purchases, one a day from 2026-01-01 on, each a cent more."""
    rows = [
        f"{date(2026, 1, 1) + timedelta(days=n)},Shop {n},-{1 + n / 100:.2f}" for n in range(lines)
    ]
    return "\n".join(["Date,Description,Amount", *rows]).encode()


async def test_a_preview_shows_a_page_of_lines_and_the_totals_of_the_whole_file(client):
    account_id = await account_in(client, "USD")
    data = statement(250)
    first = (await upload(client, "/preview", account_id, "big.csv", data)).json()
    assert (first["line_count"], first["new"], len(first["lines"])) == (250, 250, 100)
    assert first["lines"][0]["payee"] == "Shop 0"
    page = await client.post(
        f"{API}/imports/preview?offset=200&limit=80",
        data={"account_id": str(account_id)},
        files={"file": ("big.csv", data)},
    )
    lines = page.json()["lines"]
    assert [line["payee"] for line in lines] == [f"Shop {n}" for n in range(200, 250)]
    assert page.json()["net"] == first["net"]


@pytest.mark.parametrize("query", ["offset=-1", "limit=0", "limit=1001", "offset=x"])
async def test_a_preview_page_out_of_range_is_refused(client, query):
    account_id = await account_in(client, "USD")
    refused = await client.post(
        f"{API}/imports/preview?{query}",
        data={"account_id": str(account_id)},
        files={"file": ("big.csv", statement(3))},
    )
    assert_problem(refused, 422)


async def test_confirming_imports_every_line_not_only_a_page(client):
    account_id = await account_in(client, "USD")
    batch = created(await upload(client, "", account_id, "big.csv", statement(250)))
    assert batch["added"] == 250
    assert len(await ledger(client)) == 250
