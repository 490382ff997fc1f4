"""Small helpers that make test setup read like the user's steps."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

API = "/api/v1"


async def get_json(client: AsyncClient, url: str, **params: Any) -> Any:
    """The JSON of a 200 answer to a GET; fails the test with the problem details otherwise."""
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def created(response: Response) -> dict[str, Any]:
    """The JSON of a 201 answer; fails the test with the problem details otherwise."""
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_account(client: AsyncClient, name: str = "Checking", **fields: Any) -> dict[str, Any]:
    """Open an account (USD checking, opened 2026-01-01, unless told otherwise)."""
    payload = {
        "name": name,
        "type": "checking",
        "currency": "USD",
        "opening_date": "2026-01-01",
        **fields,
    }
    return created(await client.post(f"{API}/accounts", json=payload))


async def add_category(
    client: AsyncClient, name: str = "Groceries", **fields: Any
) -> dict[str, Any]:
    """Add a category (top-level expense unless told otherwise)."""
    payload: dict[str, Any] = {"name": name, **fields}
    if "parent_id" not in fields:
        payload.setdefault("kind", "expense")
    return created(await client.post(f"{API}/categories", json=payload))


async def add_transaction(client: AsyncClient, **payload: Any) -> dict[str, Any]:
    """Record a transaction in any shape; the date defaults to 2026-10-03."""
    payload.setdefault("date", "2026-10-03")
    return created(await client.post(f"{API}/transactions", json=payload))


def assert_problem(response: Response, status: int, *, field: str | None = None) -> dict[str, Any]:
    """The answer is RFC 9457 problem details with this status (and names `field`, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


@asynccontextmanager
async def commits_failing(
    app: FastAPI, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncClient]:
    """A client signed in as `client` is, to `app` answering as a real server does, while every
    commit fails as a full disk would make it; commits work again once the block ends."""

    async def failing_commit(self: AsyncSession) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with AsyncClient(
            transport=transport, base_url="http://test", headers=client.headers
        ) as server:
            yield server
    finally:
        monkeypatch.undo()
