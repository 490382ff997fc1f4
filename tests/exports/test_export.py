"""Exporting the transaction list as CSV and JSON: the list's filters, one row per line, exact
amounts, formula cells defused in CSV only, and only the owner's transactions."""

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from finance.exports.rows import defused
from tests.api import API, add_account, add_category, add_transaction, assert_problem, created
from tests.users import add_user, credentials_for

DATA = Path(__file__).resolve().parent.parent / "data"
EXPORT = f"{API}/exports/transactions"


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def export(client: AsyncClient, url: str = EXPORT, **params: Any) -> Any:
    """The rows of an export: dicts from CSV, or the JSON list."""
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    file_format = params.get("format", "csv")
    expected = f'attachment; filename="transactions-{date.today().isoformat()}.{file_format}"'
    assert response.headers["content-disposition"] == expected
    return json.loads(response.text) if file_format == "json" else csv_rows(response.text)


async def ledger(client: AsyncClient) -> dict[str, Any]:
    """Checking and savings, Food:Groceries and Home, and one transaction of each shape."""
    checking = await add_account(client, "Checking")
    savings = await add_account(client, "Savings", type="savings")
    food = await add_category(client, "Food")
    groceries = await add_category(client, "Groceries", parent_id=food["id"])
    home = await add_category(client, "Home")
    simple = await add_transaction(
        client,
        account_id=checking["id"],
        amount="-1234567.89",
        payee="Whole Foods",
        category_id=groceries["id"],
        date="2026-10-01",
    )
    split = await add_transaction(
        client,
        account_id=checking["id"],
        payee="Target",
        memo="weekly",
        date="2026-10-02",
        splits=[
            {"category_id": groceries["id"], "amount": "-30.00"},
            {"category_id": home["id"], "amount": "-12.50", "memo": "towels"},
        ],
    )
    transfer = await add_transaction(
        client,
        from_account_id=checking["id"],
        to_account_id=savings["id"],
        amount="500.00",
        payee="Saving",
        date="2026-10-03",
        status="cleared",
    )
    return {
        "checking": checking["id"],
        "food": food["id"],
        "home": home["id"],
        "ids": (simple["id"], split["id"], transfer["id"]),
    }


def brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["date"], r["account"], r["category"], r["amount"], r["memo"]) for r in rows]


async def test_csv_has_a_row_per_line_newest_first_with_exact_amounts(client):
    made = await ledger(client)
    rows = await export(client)
    assert list(rows[0]) == [
        "date",
        "account",
        "payee",
        "memo",
        "category",
        "amount",
        "currency",
        "status",
        "transaction_id",
    ]
    assert brief(rows) == [
        ("2026-10-03", "Checking", "", "-500.00", ""),
        ("2026-10-03", "Savings", "", "500.00", ""),
        ("2026-10-02", "Checking", "Food:Groceries", "-30.00", "weekly"),
        ("2026-10-02", "Checking", "Home", "-12.50", "towels"),
        ("2026-10-01", "Checking", "Food:Groceries", "-1234567.89", ""),
    ]
    simple, split, transfer = made["ids"]
    assert [r["transaction_id"] for r in rows] == [
        str(i) for i in (transfer,) * 2 + (split,) * 2 + (simple,)
    ]
    assert {r["currency"] for r in rows} == {"USD"}
    assert rows[0]["status"] == "cleared" and rows[-1]["status"] == "uncleared"


async def test_a_transfer_between_currencies_is_a_row_per_account_in_its_own_currency(client):
    checking = await add_account(client, "Checking")
    euros = await add_account(client, "Euros", currency="EUR")
    await add_transaction(
        client,
        from_account_id=checking["id"],
        to_account_id=euros["id"],
        amount="100.00",
        received_amount="92.00",
    )
    rows = await export(client)
    assert [(r["account"], r["category"], r["amount"], r["currency"]) for r in rows] == [
        ("Checking", "", "-100.00", "USD"),
        ("Euros", "", "92.00", "EUR"),
    ]
    only_euros = await export(client, account_id=euros["id"])
    assert [(r["account"], r["amount"]) for r in only_euros] == [("Euros", "92.00")]


async def test_json_has_the_same_rows_with_decimal_string_amounts(client):
    await ledger(client)
    rows = await export(client, format="json")
    assert brief(rows) == brief(await export(client))
    assert rows[-1]["amount"] == "-1234567.89" and isinstance(rows[-1]["transaction_id"], int)


async def test_filters_export_only_the_matching_rows(client):
    made = await ledger(client)
    by_account = await export(client, account_id=made["checking"], format="json")
    assert {r["account"] for r in by_account} == {"Checking"} and len(by_account) == 4
    by_parent = await export(client, category_id=made["food"])
    assert [r["category"] for r in by_parent] == ["Food:Groceries", "Food:Groceries"]
    assert brief(await export(client, date_from="2026-10-02", date_to="2026-10-02")) == [
        ("2026-10-02", "Checking", "Food:Groceries", "-30.00", "weekly"),
        ("2026-10-02", "Checking", "Home", "-12.50", "towels"),
    ]
    assert [r["payee"] for r in await export(client, q="whole")] == ["Whole Foods"]
    assert [r["payee"] for r in await export(client, status="cleared")] == ["Saving"] * 2
    large = await export(client, amount_max="-1000")
    assert [r["amount"] for r in large] == ["-1234567.89"]
    assert await export(client, q="nothing like this", format="json") == []


async def test_a_misspelt_filter_is_refused(client):
    assert_problem(await client.get(EXPORT, params={"acount_id": 1}), 422)
    assert_problem(await client.get(EXPORT, params={"format": "xlsx"}), 422, field="format")


async def test_formula_cells_are_defused_in_csv_but_not_in_json(client):
    account = await add_account(client, "=Bank")
    data = (DATA / "malformed" / "formula-injection.csv").read_bytes()
    created(
        await client.post(
            f"{API}/imports",
            data={"account_id": str(account["id"])},
            files={"file": ("formula-injection.csv", data)},
        )
    )
    await add_transaction(
        client, account_id=account["id"], amount="-3.00", payee="-minus", memo="@mention"
    )
    in_csv = await export(client)
    in_json = await export(client, format="json")
    raw = {r["payee"] for r in in_json}
    assert any(p.startswith("=HYPERLINK") for p in raw) and "+cmd|' /C calc'!A0" in raw
    assert {r["payee"] for r in in_csv} == {"'" + payee for payee in raw}
    assert {r["account"] for r in in_csv} == {"'=Bank"}
    assert {r["account"] for r in in_json} == {"=Bank"}
    assert "'@mention" in {r["memo"] for r in in_csv}
    assert all(not r["amount"].startswith("'") for r in in_csv)
    assert "-3.00" in {r["amount"] for r in in_csv}


def test_every_formula_start_is_defused():
    for text in ("=1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert defused(text) == "'" + text
    assert defused("Whole Foods") == "Whole Foods" and defused("") == ""


async def test_another_users_transactions_are_never_exported(client, db):
    made = await ledger(client)
    stranger = await add_user(db, "stranger@example.com")
    headers = (await credentials_for(db, stranger)).headers
    everything = await client.get(EXPORT, headers=headers)
    assert everything.status_code == 200 and csv_rows(everything.text) == []
    owners = {"account_id": made["checking"], "format": "json"}
    assert (await client.get(EXPORT, headers=headers, params=owners)).json() == []


async def test_the_page_link_downloads_the_lists_filters(client):
    made = await ledger(client)
    page = await client.get("/transactions", params={"category_id": made["home"]})
    link = f'href="/exports/transactions?format=csv&amp;category_id={made["home"]}"'
    assert link in page.text and "format=json&amp;" in page.text
    rows = await export(client, "/exports/transactions", category_id=made["home"])
    assert brief(rows) == [("2026-10-02", "Checking", "Home", "-12.50", "towels")]
    everything = await export(client, "/exports/transactions", format="json", status="bogus")
    assert len(everything) == 5


async def test_strangers_are_refused(anonymous, owner):
    assert_problem(await anonymous.get(EXPORT), 401)
    page = await anonymous.get("/exports/transactions?format=csv")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=%2Fexports%2Ftransactions")
