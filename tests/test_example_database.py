"""`finance.db.example`, the database a newcomer copies to explore: complete, current, balanced,
and what `finance demo` makes today. Tests work on a copy: opening a SQLite file with the app
switches it to WAL mode, which would change the committed file."""

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from typer.testing import CliRunner

from finance import cli, migrate
from finance.config import Settings
from finance.demo import DEMO_EMAIL, DEMO_PASSWORD
from finance.main import create_app
from tests.users import log_in

EXAMPLE = Path(__file__).resolve().parent.parent / "finance.db.example"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """The example copied as a user would: `cp finance.db.example finance.db`."""
    assert EXAMPLE.is_file(), "finance.db.example is missing: run `finance demo` to make it"
    copy = tmp_path / "finance.db"
    shutil.copyfile(EXAMPLE, copy)
    return copy


def test_the_example_is_one_complete_file() -> None:
    assert EXAMPLE.is_file()
    for leftover in ("-wal", "-shm", "-journal"):
        assert not EXAMPLE.with_name(EXAMPLE.name + leftover).exists()
    assert read(EXAMPLE, "PRAGMA journal_mode") == [("delete",)]
    assert read(EXAMPLE, "PRAGMA integrity_check") == [("ok",)]
    assert EXAMPLE.stat().st_size < 1_000_000


def test_the_example_is_at_the_newest_migration(example_copy: Path) -> None:
    assert migrate.current_revision(sqlite_url(example_copy)) == migrate.head_revision()


async def test_the_demo_login_opens_the_examples_dashboard(example_copy: Path) -> None:
    app = create_app(Settings(database_url=sqlite_url(example_copy), _env_file=None))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
            login = await log_in(http, DEMO_EMAIL, DEMO_PASSWORD)
            dashboard = await http.get("/")
    finally:
        await app.state.database.engine.dispose()

    assert login.status_code == 303
    assert dashboard.status_code == 200
    assert "Visa card" in dashboard.text


@pytest.fixture
def demo_token(example_copy: Path) -> str:
    """A token for the demo user, made as the README says: `finance tokens create`."""
    url = sqlite_url(example_copy)
    arguments = ["tokens", "create", "--user", DEMO_EMAIL, "--name", "cli", "--database-url", url]
    created = CliRunner().invoke(cli.app, arguments)
    assert created.exit_code == 0, created.output
    return created.stdout.strip()


async def test_the_api_shows_the_examples_accounts_and_transactions(
    example_copy: Path, demo_token: str
) -> None:
    app = create_app(Settings(database_url=sqlite_url(example_copy), _env_file=None))
    try:
        async with AsyncClient(
            transport=ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {demo_token}"},
        ) as http:
            accounts = (await http.get("/api/v1/accounts")).json()
            page = (await http.get("/api/v1/transactions", params={"limit": 5})).json()
            categories = (await http.get("/api/v1/categories")).json()
    finally:
        await app.state.database.engine.dispose()

    assert {account["name"] for account in accounts} == {
        "Checking",
        "Savings",
        "Visa card",
        "Wallet",
    }
    assert all(account["currency"] == "USD" for account in accounts)
    assert len(page["items"]) == 5
    assert page["next_cursor"] is not None
    assert page["items"][0]["date"] == "2026-12-31"
    assert any(category["children"] for category in categories)


def test_db_check_finds_the_example_balanced(example_copy: Path) -> None:
    result = CliRunner().invoke(
        cli.app, ["db", "check", "--database-url", sqlite_url(example_copy)]
    )

    assert result.exit_code == 0, result.output
    assert "balanced" in result.output


def test_the_example_is_what_finance_demo_makes(demo_file: Path) -> None:
    """Regenerate the example after changing `finance/demo.py` or the schema."""
    fresh = demo_file

    ledger = (
        "SELECT t.date, t.payee, t.status, p.amount_minor, p.currency, "
        "a.name, c.name FROM transactions t JOIN postings p ON p.transaction_id = t.id "
        "LEFT JOIN accounts a ON a.id = p.account_id "
        "LEFT JOIN categories c ON c.id = p.category_id ORDER BY t.id, p.id"
    )
    assert read(EXAMPLE, ledger) == read(fresh, ledger)
    accounts = "SELECT name, type, currency, opening_balance_minor, note FROM accounts ORDER BY id"
    assert read(EXAMPLE, accounts) == read(fresh, accounts)
