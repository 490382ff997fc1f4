"""The database setup a user runs on: SQLite pragmas, concurrent writers, reads beside a writer,
health, and commits."""

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.config import Settings
from finance.db import Access, is_sqlite_file
from finance.main import create_app
from finance.models import Base
from tests.api import API, add_account, assert_problem, commits_failing
from tests.users import OWNER_EMAIL, add_user, credentials_for


@asynccontextmanager
async def app_on_file(tmp_path: Path, **settings: Any) -> AsyncIterator[FastAPI]:
    """The real app on a new SQLite file, with no test overrides but `settings`."""
    url = f"sqlite+aiosqlite:///{tmp_path}/finance.db"
    app = create_app(Settings(database_url=url, _env_file=None, **settings))
    async with app.state.database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield app
    await app.state.database.dispose()


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client of `app`, logged in as a new user."""
    async with app.state.database.session() as db:
        credentials = await credentials_for(db, await add_user(db, OWNER_EMAIL))
    async with AsyncClient(
        transport=ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://test",
        headers=credentials.headers,
        cookies=credentials.cookies,
    ) as client:
        yield client


@pytest.fixture
async def file_app(tmp_path):
    """The real app on a SQLite file, with no test overrides at all."""
    async with app_on_file(tmp_path) as app:
        yield app


@pytest.fixture
async def file_client(file_app):
    """A client of `file_app`, logged in."""
    async with client_of(file_app) as client:
        yield client


async def test_sqlite_connections_are_configured_for_safety(file_app):
    async with file_app.state.database.engine.connect() as connection:
        pragmas = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "synchronous": 2,
    }


async def spend_a_dollar_at_once(client: AsyncClient, times: int) -> None:
    """`times` purchases of $1.00 sent all at once: each answered 201, and the balance moved
    by every one."""
    account = await add_account(client, "Checking")
    payload = {"date": "2026-10-03", "account_id": account["id"], "amount": "-1.00"}
    responses = await asyncio.gather(
        *(client.post(f"{API}/transactions", json=payload) for _ in range(times))
    )
    assert [r.status_code for r in responses] == [201] * times
    balance = (await client.get(f"{API}/accounts/{account['id']}")).json()["balance"]
    assert balance == f"-{times}.00"


async def test_concurrent_writes_all_land_without_database_is_locked(file_client):
    await spend_a_dollar_at_once(file_client, 40)


async def test_a_burst_of_writes_takes_turns_instead_of_racing_for_the_lock(tmp_path):
    """SQLite's busy handler retries at random, so a writer can wait past its busy timeout
    while later ones go first; the app's writes queue in the order they came instead, so even
    a busy timeout of 1 ms answers every write of a burst."""
    async with app_on_file(tmp_path, sqlite_busy_timeout_ms=1) as app, client_of(app) as client:
        await spend_a_dollar_at_once(client, 50)


async def test_a_write_that_waits_past_its_turn_is_answered_503_and_changes_nothing(tmp_path):
    async with (
        app_on_file(tmp_path, sqlite_wait_seconds=0.2) as app,
        client_of(app) as client,
    ):
        async with app.state.database.session(Access.WRITE) as long_write:
            await long_write.execute(text("UPDATE users SET display_name = 'busy'"))
            refused = await client.post(
                f"{API}/accounts", json={"name": "Checking", "type": "checking", "currency": "USD"}
            )
            await long_write.rollback()
        assert_problem(refused, 503)
        assert refused.headers["retry-after"] == "5"
        assert (await client.get(f"{API}/accounts")).json() == []


async def test_reads_take_turns_as_many_at_once_as_the_settings_say(tmp_path):
    settings = {"sqlite_readers": 1, "sqlite_wait_seconds": 0.2}
    async with app_on_file(tmp_path, **settings) as app, client_of(app) as client:
        async with app.state.database.session(Access.READ) as long_read:
            await long_read.execute(text("SELECT count(*) FROM users"))
            assert_problem(await client.get(f"{API}/accounts"), 503)
        assert (await client.get(f"{API}/accounts")).status_code == 200


async def test_a_write_goes_to_sqlites_thread_once_a_statement(file_app, file_client, monkeypatch):
    """Each trip to the driver's thread waits its turn on a busy event loop while the write
    lock is held: a statement is one trip (not four: cursor, execute, fetch, close)."""
    account = await add_account(file_client, "Checking")
    trips: list[Any] = []
    statements: list[int] = []
    original: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

    async def counted(connection: aiosqlite.Connection, work: Any, *args: Any) -> Any:
        trips.append(work)
        return await original(connection, work, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)

    @event.listens_for(file_app.state.database.writer.sync_engine, "before_cursor_execute")
    def count(*_: Any) -> None:
        statements.append(1)

    payload = {"date": "2026-10-03", "account_id": account["id"], "amount": "-1.00"}
    assert (await file_client.post(f"{API}/transactions", json=payload)).status_code == 201
    assert len(statements) >= 8
    assert len(trips) <= len(statements) + 1  # and the commit


def test_only_a_sqlite_file_gets_a_queue_for_its_writes():
    assert is_sqlite_file("sqlite+aiosqlite:///./finance.db")
    assert not is_sqlite_file("sqlite+aiosqlite://")
    assert not is_sqlite_file("sqlite+aiosqlite:///:memory:")
    assert not is_sqlite_file("postgresql+asyncpg://postgres@127.0.0.1/finance")


async def test_health_is_ok_when_the_database_answers(file_app):
    async with AsyncClient(transport=ASGITransport(app=file_app), base_url="http://test") as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_health_is_503_when_the_database_is_unreachable():
    nobody_listens = "postgresql+asyncpg://postgres@127.0.0.1:1/finance"  # a server that is down
    app = create_app(Settings(database_url=nobody_listens, _env_file=None))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/health")
    assert_problem(response, 503)
    await app.state.database.dispose()


async def test_a_write_whose_commit_fails_is_answered_503_not_success(app, client, monkeypatch):
    await client.get(f"{API}/accounts")  # the token's last use is recorded before commits fail

    async with commits_failing(app, client, monkeypatch) as server:
        response = await server.post(
            f"{API}/accounts", json={"name": "Checking", "type": "checking", "currency": "USD"}
        )
    problem = assert_problem(response, 503)
    assert "nothing was changed" in problem["detail"]
    assert (await client.get(f"{API}/accounts")).json() == []


async def test_unknown_routes_answer_problem_details(client):
    assert_problem(await client.get(f"{API}/nothing-here"), 404)
    assert_problem(await client.delete(f"{API}/accounts"), 405)


async def test_the_api_answers_503_while_the_database_server_is_down():
    app = create_app(
        Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/finance", _env_file=None)
    )
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    token = {"Authorization": "Bearer fin_any"}  # checking it needs the database
    async with AsyncClient(transport=transport, base_url="http://test", headers=token) as client:
        response = await client.get(f"{API}/accounts")
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "5"
    await app.state.database.dispose()


@pytest.fixture
def writer_holding_the_lock(file_app, tmp_path):
    """Another process's writer in the middle of a long transaction (an import, say)."""
    connection = sqlite3.connect(tmp_path / "finance.db", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE users SET display_name = 'busy'")
    yield connection
    connection.execute("ROLLBACK")
    connection.close()


async def test_reads_go_on_while_another_writer_holds_the_lock(
    file_client, writer_holding_the_lock
):
    answers = await asyncio.gather(*(file_client.get(f"{API}/accounts") for _ in range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    assert writer_holding_the_lock.in_transaction, "the reads were answered while it wrote"


async def test_a_write_waits_its_turn_behind_another_writer(file_client, writer_holding_the_lock):
    async def release_soon() -> None:
        await asyncio.sleep(0.3)
        writer_holding_the_lock.execute("COMMIT")
        writer_holding_the_lock.execute("BEGIN")  # the fixture's ROLLBACK needs a transaction

    created, _ = await asyncio.gather(
        file_client.post(
            f"{API}/accounts",
            json={"name": "Checking", "type": "checking", "currency": "USD"},
        ),
        release_soon(),
    )
    assert created.status_code == 201, created.text


async def test_a_read_only_session_refuses_to_write(file_app):
    async with file_app.state.database.session(Access.READ) as db:
        with pytest.raises(OperationalError, match="readonly"):
            await db.execute(text("UPDATE users SET display_name = 'x'"))


async def test_a_write_that_may_wait_is_skipped_while_another_writer_is_busy(
    file_app, writer_holding_the_lock
):
    async def note(db: AsyncSession) -> None:
        await db.execute(text("UPDATE users SET display_name = 'noted'"))
        await db.commit()

    started = time.perf_counter()
    assert await file_app.state.database.write_if_free(note) is False
    assert time.perf_counter() - started < 1
    writer_holding_the_lock.execute("ROLLBACK")
    writer_holding_the_lock.execute("BEGIN")
    assert await file_app.state.database.write_if_free(note) is True
