"""`Idempotency-Key` on every creating POST of the API: a retry with the same key and request
gets the first answer and creates nothing, the same key with another request is refused, a key
is one user's for 24 hours, and a write that failed leaves no key behind.

Each test runs for every kind of object the API creates (`KINDS`)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.idempotency import service
from finance.idempotency.models import IdempotencyKey
from finance.idempotency.routes import IdempotentRoute
from tests.api import (
    API,
    add_account,
    add_category,
    assert_problem,
    commits_failing,
    created,
    get_json,
)
from tests.users import add_user, credentials_for

KEY = "9f1c2b7e-create-once"
REPLAYED = "Idempotent-Replayed"
Request = dict[str, Any]
"""The keyword arguments of a `client.post`: its JSON, or its form fields and files."""


def csv_upload(account_id: int, rows: str) -> Request:
    return {
        "data": {"account_id": str(account_id)},
        "files": {"file": ("bank.csv", f"Date,Description,Amount\n{rows}\n".encode())},
    }


async def an_account(client: AsyncClient) -> dict[str, Any]:
    return {"account": (await add_account(client, "Bank"))["id"]}


async def a_category(client: AsyncClient) -> dict[str, Any]:
    return {"category": (await add_category(client, "Food"))["id"]}


async def an_account_and_a_category(client: AsyncClient) -> dict[str, Any]:
    return {**await an_account(client), **await a_category(client)}


async def nothing(_client: AsyncClient) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Kind:
    """One kind of object the API creates: what its requests need made first (`prepare`, as
    the user sending them), and from that, a request, another request and a bad one."""

    name: str
    prepare: Callable[[AsyncClient], Awaitable[dict[str, Any]]]
    first: Callable[[dict[str, Any]], Request]
    another: Callable[[dict[str, Any]], Request]
    bad: Callable[[dict[str, Any]], Request]

    @property
    def url(self) -> str:
        return f"{API}/{self.name}"

    async def count(self, client: AsyncClient) -> int:
        """How many the user has."""
        listed = await get_json(client, self.url)
        return len(listed["items"] if isinstance(listed, dict) else listed)


STARTER_SET = f"{API}/categories/starter-set"
"""Creates with no body, so not a `Kind`: `test_a_retried_starter_set_is_answered_as_the_first`."""
KINDS = [
    Kind(
        "transactions",
        an_account_and_a_category,
        lambda ids: {
            "json": {
                "date": "2026-10-03",
                "account_id": ids["account"],
                "amount": "-12.50",
                "payee": "Bakery",
                "category_id": ids["category"],
            }
        },
        lambda ids: {
            "json": {"date": "2026-10-04", "account_id": ids["account"], "amount": "-3.00"}
        },
        lambda ids: {
            "json": {"date": "2026-10-03", "account_id": ids["account"], "amount": "-12.505"}
        },
    ),
    Kind(
        "accounts",
        nothing,
        lambda _: {"json": {"name": "Savings", "type": "savings", "currency": "USD"}},
        lambda _: {"json": {"name": "Wallet", "type": "cash", "currency": "EUR"}},
        lambda _: {"json": {"name": "Savings", "type": "piggy bank", "currency": "USD"}},
    ),
    Kind(
        "categories",
        nothing,
        lambda _: {"json": {"name": "Rent", "kind": "expense"}},
        lambda _: {"json": {"name": "Salary", "kind": "income"}},
        lambda _: {"json": {"name": "Rent"}},  # a top-level category needs a kind
    ),
    Kind(
        "rules",
        a_category,
        lambda ids: {"json": {"pattern": "bakery", "category_id": ids["category"]}},
        lambda ids: {"json": {"pattern": "grocer", "category_id": ids["category"]}},
        lambda ids: {
            "json": {"pattern": "(bakery", "match": "regex", "category_id": ids["category"]}
        },
    ),
    Kind(  # httpx, as curl does, draws a new multipart boundary for each attempt
        "imports",
        an_account,
        lambda ids: csv_upload(ids["account"], "2026-10-03,Bakery,-12.50"),
        lambda ids: csv_upload(ids["account"], "2026-10-04,Grocer,-3.00"),
        lambda ids: csv_upload(ids["account"], "2026-10-03,Bakery,twelve"),
    ),
]


@pytest.fixture(params=KINDS, ids=[kind.name for kind in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def ids(client: AsyncClient, kind: Kind) -> dict[str, Any]:
    return await kind.prepare(client)


async def send(client: AsyncClient, kind: Kind, request: Request, key: str = KEY) -> Response:
    return await client.post(kind.url, **request, headers={"Idempotency-Key": key})


def assert_same_answer(replay: Response, first: Response) -> None:
    assert replay.headers[REPLAYED] == "true"
    assert REPLAYED not in first.headers
    assert replay.status_code == first.status_code
    assert replay.content == first.content
    assert replay.headers["content-type"] == "application/json"
    assert replay.headers.get("location") == first.headers.get("location")


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(
    client, kind, ids
):
    before = await kind.count(client)
    first = await send(client, kind, kind.first(ids))
    created(first)
    for _ in range(2):
        assert_same_answer(await send(client, kind, kind.first(ids)), first)
    assert await kind.count(client) == before + 1


async def test_without_a_key_every_request_runs(client, kind, ids):
    """The header is optional: without it a request runs as it always did."""
    created(await client.post(kind.url, **kind.first(ids)))
    response = await client.post(kind.url, **kind.another(ids))
    assert REPLAYED not in created(response)


async def test_the_same_key_with_another_request_is_refused_and_creates_nothing(client, kind, ids):
    created(await send(client, kind, kind.first(ids)))
    count = await kind.count(client)
    problem = assert_problem(
        await send(client, kind, kind.another(ids)), 422, field="Idempotency-Key"
    )
    assert "another request" in problem["detail"]
    assert await kind.count(client) == count


@pytest.fixture
async def stranger(app: FastAPI, db: AsyncSession) -> AsyncIterator[AsyncClient]:
    """An API client logged in as another user."""
    credentials = await credentials_for(db, await add_user(db, "stranger@example.com"))
    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="http://test", headers=credentials.headers
    ) as http:
        yield http


async def test_another_users_same_key_creates_their_own(client, stranger, kind, ids):
    created(await send(client, kind, kind.first(ids)))
    before = await kind.count(stranger)
    response = await send(stranger, kind, kind.first(await kind.prepare(stranger)))
    created(response)
    assert REPLAYED not in response.headers
    assert await kind.count(stranger) == before + 1


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The idempotency keys' clock, which a test moves by changing `clock[0]`."""
    now = [datetime.now(UTC)]
    monkeypatch.setattr(service, "utc_now", lambda: now[0])
    return now


async def test_a_key_is_kept_24_hours_then_treated_as_new(client, kind, ids, clock):
    first = await send(client, kind, kind.first(ids))
    created(first)
    start = clock[0]
    clock[0] = start + timedelta(hours=23, minutes=59)
    assert_same_answer(await send(client, kind, kind.first(ids)), first)
    count = await kind.count(client)
    clock[0] = start + timedelta(hours=24, seconds=1)
    response = await send(client, kind, kind.another(ids))
    created(response)
    assert REPLAYED not in response.headers
    assert await kind.count(client) == count + 1
    assert_same_answer(await send(client, kind, kind.another(ids)), response)


async def test_keys_older_than_24_hours_are_deleted_when_the_owner_stores_a_new_one(
    client, db, clock
):
    accounts = next(kind for kind in KINDS if kind.name == "accounts")
    created(await send(client, accounts, accounts.first({}), key="old"))
    clock[0] += timedelta(hours=24, seconds=1)
    created(await send(client, accounts, accounts.another({}), key="new"))
    assert (await db.scalars(select(IdempotencyKey.key))).all() == ["new"]


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "clé".encode(), "tab\there"],
    ids=["empty", "too-long", "not-ascii", "control-character"],
)
async def test_a_malformed_key_is_refused_naming_the_header_and_creates_nothing(
    client, kind, ids, key
):
    before = await kind.count(client)
    response = await client.post(kind.url, **kind.first(ids), headers={"Idempotency-Key": key})
    problem = assert_problem(response, 422, field="Idempotency-Key")
    assert "printable ASCII" in problem["detail"]
    assert await kind.count(client) == before


async def test_a_form_sent_to_a_json_route_with_a_key_is_refused_and_creates_nothing(client):
    accounts = next(kind for kind in KINDS if kind.name == "accounts")
    upload = {"data": {"name": "Savings"}, "files": {"file": ("a.txt", b"x")}}
    assert_problem(await send(client, accounts, upload), 422, field="body")
    assert await accounts.count(client) == 0


async def test_the_longest_key_is_taken(client, kind, ids):
    key = "~" * 255
    first = await send(client, kind, kind.first(ids), key=key)
    created(first)
    assert_same_answer(await send(client, kind, kind.first(ids), key=key), first)


async def test_a_refused_first_attempt_stores_nothing_and_a_corrected_retry_succeeds(
    client, kind, ids
):
    before = await kind.count(client)
    assert_problem(await send(client, kind, kind.bad(ids)), 422)
    assert_problem(await send(client, kind, kind.bad(ids)), 422)  # runs again, not replayed
    response = await send(client, kind, kind.first(ids))
    created(response)
    assert REPLAYED not in response.headers
    assert await kind.count(client) == before + 1


async def test_a_write_whose_commit_fails_leaves_no_key_and_its_retry_creates_once(
    app, client, kind, ids, monkeypatch
):
    before = await kind.count(client)

    async with commits_failing(app, client, monkeypatch) as server:
        assert_problem(await send(server, kind, kind.first(ids)), 503)
    assert await kind.count(client) == before
    first = await send(client, kind, kind.first(ids))
    created(first)
    assert REPLAYED not in first.headers
    assert_same_answer(await send(client, kind, kind.first(ids)), first)
    assert await kind.count(client) == before + 1


async def test_a_key_whose_answer_was_lost_is_answered_409_and_creates_nothing(
    client, kind, ids, monkeypatch
):
    """The object committed with its key, but storing the answer failed (as a crash between
    the two would leave it): the first attempt still answers 201, a retry cannot know the
    answer and must not create again."""

    async def failing_remember(**_: Any) -> None:
        raise OperationalError("UPDATE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(service, "remember", failing_remember)
    before = await kind.count(client)
    created(await send(client, kind, kind.first(ids)))
    monkeypatch.undo()
    problem = assert_problem(await send(client, kind, kind.first(ids)), 409)
    assert "look the object up" in problem["detail"]
    assert await kind.count(client) == before + 1


@pytest.mark.usefixtures("concurrent_connections")
async def test_two_attempts_at_once_with_one_key_create_exactly_one(client, kind, ids):
    before = await kind.count(client)
    answers = await asyncio.gather(*(send(client, kind, kind.first(ids)) for _ in range(2)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses in ([201, 409], [201, 201]), [answer.text for answer in answers]
    if statuses == [201, 201]:  # the second began after the first was answered
        assert sorted(REPLAYED in answer.headers for answer in answers) == [False, True]
    for answer in answers:
        if answer.status_code == 409:
            assert "in progress" in assert_problem(answer, 409)["detail"]
    assert await kind.count(client) == before + 1


async def test_every_creating_api_route_takes_an_idempotency_key(app, client):
    """Found by walking the routes, so a creating route added later is checked too."""
    spec = (await client.get("/openapi.json")).json()
    creating = {
        route.path: route.original_route
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        and route.path is not None
        and route.path.startswith(f"{API}/")
        and route.methods == {"POST"}
        and route.original_route.status_code == 201
    }
    assert sorted(creating) == sorted([*(kind.url for kind in KINDS), STARTER_SET])
    for path, route in creating.items():
        assert isinstance(route, IdempotentRoute), path
        operation = spec["paths"][path]["post"]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"], path
        assert REPLAYED in operation["responses"]["201"]["headers"], path
        for status in ("409", "422"):
            answer = operation["responses"][status]
            assert "Idempotency-Key" in answer["description"], (path, status)
            assert "application/problem+json" in answer["content"]


async def test_a_retried_starter_set_is_answered_as_the_first(client):
    headers = {"Idempotency-Key": KEY}
    first = await client.post(STARTER_SET, headers=headers)
    retried = await client.post(STARTER_SET, headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json() and retried.headers[REPLAYED] == "true"
    assert REPLAYED not in first.headers
    assert_problem(await client.post(STARTER_SET), 409)  # without the key: there are some
