"""Every input out of range is a 4xx, never a 5xx: cursors, page sizes, ids in paths, days and
flags are refused at the edge with problem details naming the field."""

import base64
from typing import Any

import pytest

from finance.schemas import MAX_ROW_ID
from tests.api import API, add_account, add_category, add_transaction, assert_problem


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = {
    "not base64": "%%%not-base64%%%",
    "base64 of junk": _b64("\x00\xff junk"),
    "an id of 2^63": _b64(f"2026-01-01|{2**63}"),
    "an id of -1": _b64("2026-01-01|-1"),
    "an id beyond any row": _b64(f"2026-01-01|{MAX_ROW_ID + 1}"),
    "a day like 9999-99-99": _b64("9999-99-99|1"),
    "no separator": _b64("2026-01-01"),
    "too long": "A" * 500,
}
OUT_OF_RANGE_LIMITS = ["0", "-1", str(2**63), "ten", "1.5"]


async def _list_operations(client: Any) -> list[str]:
    """The paths of the API's lists: GET operations that take a `cursor`."""
    spec = (await client.get("/openapi.json")).json()
    return [
        path
        for path, operations in spec["paths"].items()
        if "get" in operations
        and any(p["name"] == "cursor" for p in operations["get"].get("parameters", []))
    ]


@pytest.fixture
async def ledger(client):
    """An account with three transactions, so that a page of one has a next page."""
    checking = (await add_account(client))["id"]
    for day in ("2026-10-01", "2026-10-02", "2026-10-03"):
        await add_transaction(client, date=day, account_id=checking, amount="-1.00")
    return checking


async def test_the_lists_are_found_in_the_schema(client):
    assert f"{API}/transactions" in await _list_operations(client)


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
async def test_every_list_refuses_a_bad_cursor(client, ledger, cursor):
    for path in await _list_operations(client):
        assert_problem(await client.get(path, params={"cursor": cursor}), 422, field="cursor")


async def test_every_list_still_follows_its_own_cursor(client, ledger):
    for path in await _list_operations(client):
        first = (await client.get(path, params={"limit": "1"})).json()
        second = await client.get(path, params={"limit": "1", "cursor": first["next_cursor"]})
        assert second.status_code == 200, second.text
        assert second.json()["items"] != first["items"]


@pytest.mark.parametrize("limit", OUT_OF_RANGE_LIMITS)
async def test_every_list_refuses_a_page_size_out_of_range(client, ledger, limit):
    for path in await _list_operations(client):
        assert_problem(await client.get(path, params={"limit": limit}), 422, field="limit")


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
async def test_the_pages_that_take_a_cursor_answer_a_bad_one_without_an_error(
    client, ledger, cursor
):
    for page in ("/transactions", f"/accounts/{ledger}"):
        response = await client.get(page, params={"cursor": cursor})
        assert response.status_code < 500, response.text


@pytest.mark.parametrize("row_id", [str(MAX_ROW_ID + 1), str(2**63), str(2**64), "-1", "0"])
async def test_every_id_in_a_path_beyond_the_ids_of_rows_is_refused(client, row_id):
    spec = (await client.get("/openapi.json")).json()
    paths = [path for path in spec["paths"] if path.endswith("_id}")]
    assert len(paths) >= 5
    for path in paths:
        url = path.split("{")[0] + row_id
        for method in spec["paths"][path]:
            assert_problem(await client.request(method, url), 422)


async def test_a_day_must_be_written_as_a_day_not_a_number(client):
    refused = await client.post(
        f"{API}/accounts",
        json={"name": "Checking", "type": "checking", "currency": "USD", "opening_date": 0},
    )
    assert_problem(refused, 422, field="opening_date")
    assert (await client.get(f"{API}/accounts")).json() == []
    for day in ("0", "1700000000", "2026-1-2"):
        listed = await client.get(f"{API}/transactions", params={"date_to": day})
        assert_problem(listed, 422, field="date_to")


async def test_a_flag_must_be_true_or_false_not_a_number(client, ledger):
    archived = await client.patch(f"{API}/accounts/{ledger}", json={"archived": 1})
    assert_problem(archived, 422, field="archived")
    assert (await client.get(f"{API}/accounts/{ledger}")).json()["archived"] is False
    applied = await client.post(f"{API}/rules/apply", json={"overwrite": 0})
    assert_problem(applied, 422, field="overwrite")


async def test_a_body_that_is_not_text_is_a_documented_400(client):
    response = await client.post(
        f"{API}/accounts", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)
    assert (await client.get(f"{API}/accounts")).json() == []
    spec = (await client.get("/openapi.json")).json()
    assert "400" in spec["paths"][f"{API}/accounts"]["post"]["responses"]


@pytest.mark.parametrize("parent_id", [True, 1.0])
async def test_an_id_must_be_a_whole_number_not_a_flag(client, parent_id):
    await add_category(client, "Food")
    refused = await client.post(f"{API}/categories", json={"name": "Milk", "parent_id": parent_id})
    assert_problem(refused, 422, field="parent_id")
    assert [c["name"] for c in (await client.get(f"{API}/categories")).json()] == ["Food"]
