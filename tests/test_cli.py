"""The `finance` command, run in-process on SQLite files. Synchronous tests: the commands run
their own event loops. Uvicorn is replaced so `serve` only shows what it would run."""

import os
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from finance import cli, migrate
from finance.config import Settings
from tests.conftest import copy_of

SETTINGS_VARIABLES = [f"FINANCE_{name.upper()}" for name in Settings.model_fields]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli.app, list(args))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def isolate(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """No settings from the environment or a `.env` file, except those a test sets."""
    monkeypatch.chdir(directory)
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the database with the standard library, without changing the file."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()


def ledger_facts(path: Path) -> dict[str, Any]:
    """What a user of the demo ledger would see: counts, date range, balances."""
    return {
        "transactions": query(path, "SELECT count(*) FROM transactions")[0][0],
        "dates": query(path, "SELECT min(date), max(date) FROM transactions")[0],
        "balances": query(
            path,
            "SELECT a.name, a.type, a.opening_balance_minor + coalesce(sum(p.amount_minor), 0) "
            "FROM accounts a LEFT JOIN postings p ON p.account_id = a.id "
            "GROUP BY a.id, a.name, a.type, a.opening_balance_minor ORDER BY a.name",
        ),
        "categories": query(
            path,
            "SELECT coalesce(parent.name || ': ', '') || c.name FROM categories c "
            "LEFT JOIN categories parent ON parent.id = c.parent_id ORDER BY 1",
        ),
    }


def test_db_upgrade_then_check_passes(tmp_path: Path) -> None:
    path = tmp_path / "finance.db"

    upgraded = invoke("db", "upgrade", "--database-url", sqlite_url(path))
    assert upgraded.exit_code == 0, upgraded.output
    assert migrate.head_revision() in upgraded.output
    assert migrate.is_up_to_date(sqlite_url(path))

    again = invoke("db", "upgrade", "--database-url", sqlite_url(path))
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output

    checked = invoke("db", "check", "--database-url", sqlite_url(path))
    assert checked.exit_code == 0, checked.output
    assert "balanced" in checked.output


def test_commands_use_the_database_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("FINANCE_DATABASE_URL", sqlite_url(path))

    assert invoke("db", "upgrade").exit_code == 0

    assert migrate.current_revision(sqlite_url(path)) == migrate.head_revision()
    assert not (tmp_path / "finance.db").exists()


def test_db_check_fails_on_an_unbalanced_transaction(tmp_path: Path) -> None:
    path = tmp_path / "finance.db"
    assert invoke("db", "upgrade", "--database-url", sqlite_url(path)).exit_code == 0
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(
            """
            INSERT INTO users (id, email, display_name, created_at)
                VALUES (1, 'me@example.com', '', '2026-01-01 00:00:00');
            INSERT INTO accounts (id, owner_id, name, name_key, type, currency,
                                  opening_balance_minor, opening_date, archived, note, created_at)
                VALUES (1, 1, 'Checking', 'checking', 'checking', 'USD', 0, '2026-01-01', 0, '',
                        '2026-01-01 00:00:00');
            INSERT INTO transactions (id, owner_id, date, payee, memo, status, updated_at,
                                      created_at)
                VALUES (7, 1, '2026-02-01', 'Typo', '', 'uncleared', '2026-02-01 00:00:00',
                        '2026-02-01 00:00:00');
            INSERT INTO postings (transaction_id, account_id, category_id, amount_minor,
                                  currency, memo)
                VALUES (7, 1, NULL, -1000, 'USD', ''), (7, NULL, NULL, 999, 'USD', '');
            INSERT INTO account_totals (account_id, posted_minor, cleared_minor, postings)
                VALUES (1, -1000, 0, 1);
            INSERT INTO account_months (account_id, month, posted_minor, cleared_minor, postings)
                VALUES (1, '2026-02-01', -1000, 0, 1);
            """
        )

    checked = invoke("db", "check", "--database-url", sqlite_url(path))

    assert checked.exit_code == 1
    assert "transaction 7" in checked.output
    assert "USD" in checked.output
    assert "1 problem" in checked.output


def test_db_check_fails_on_a_total_that_is_not_the_sum_of_its_postings(
    tmp_path: Path, demo_file: Path
) -> None:
    path = copy_of(demo_file, tmp_path)
    assert invoke("db", "check", "--database-url", sqlite_url(path)).exit_code == 0
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE account_totals SET posted_minor = posted_minor + 1")
        connection.execute(
            "UPDATE category_months SET postings = postings + 1 "
            "WHERE month = '2026-03-01' AND category_id = 2"
        )

    checked = invoke("db", "check", "--database-url", sqlite_url(path))

    assert checked.exit_code == 1
    assert "account 1: the total holds" in checked.output
    assert "category 2, 2026-03, USD: the total holds" in checked.output
    assert "5 problem(s) found" in checked.output


def test_db_check_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"

    checked = invoke("db", "check", "--database-url", sqlite_url(path))

    assert checked.exit_code == 1
    assert "finance db upgrade" in checked.output
    assert not path.exists()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each `uvicorn.run` call `serve` makes, instead of a running server."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: FastAPI, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_migrates_the_database_then_runs_the_app(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    url = sqlite_url(tmp_path / "finance.db")

    result = invoke("serve", "--database-url", url, "--port", "8123")

    assert result.exit_code == 0, result.output
    assert migrate.is_up_to_date(url)
    ((call),) = served
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    assert call["app"].state.settings.database_url == url


def test_serve_with_several_workers_has_each_build_the_app_on_the_same_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    monkeypatch.delenv("FINANCE_DATABASE_URL", raising=False)  # restored after the test
    url = sqlite_url(tmp_path / "finance.db")

    result = invoke("serve", "--database-url", url, "--workers", "2")

    assert result.exit_code == 0, result.output
    ((call),) = served
    assert (call["app"], call["factory"], call["workers"]) == ("finance.main:create_app", True, 2)
    assert os.environ["FINANCE_DATABASE_URL"] == url
    assert Settings().database_url == url  # what a worker's app reads


def test_serve_without_auto_migrate_refuses_a_stale_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("FINANCE_AUTO_MIGRATE", "false")
    path = tmp_path / "finance.db"
    sqlite3.connect(path).close()  # an existing database with no migrations applied

    result = invoke("serve", "--database-url", sqlite_url(path))

    assert result.exit_code == 1
    assert "finance db upgrade" in result.output
    assert served == []
    assert migrate.current_revision(sqlite_url(path)) is None


def test_serve_without_auto_migrate_runs_on_an_up_to_date_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("FINANCE_AUTO_MIGRATE", "false")
    url = sqlite_url(tmp_path / "finance.db")
    assert invoke("db", "upgrade", "--database-url", url).exit_code == 0

    result = invoke("serve", "--database-url", url, "--host", "0.0.0.0")

    assert result.exit_code == 0, result.output
    ((call),) = served
    assert call["host"] == "0.0.0.0"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory, demo_file: Path) -> Path:
    """One demo database for the module's tests to read (or copy before changing)."""
    return copy_of(demo_file, tmp_path_factory.mktemp("demo"))


def test_demo_fills_a_year_for_the_local_user(demo_database: Path) -> None:
    facts = ledger_facts(demo_database)

    assert facts["dates"] == (str(date(2026, 1, 1)), str(date(2026, 12, 31)))
    assert facts["transactions"] > 300
    assert [(name, kind) for name, kind, _ in facts["balances"]] == [
        ("Checking", "checking"),
        ("Savings", "savings"),
        ("Visa card", "credit_card"),
        ("Wallet", "cash"),
    ]
    assert {"Income: Salary", "Housing: Rent", "Food: Groceries", "Food: Restaurants"} <= set(
        name for (name,) in facts["categories"]
    )
    assert query(demo_database, "SELECT email FROM users") == [("demo@example.com",)]
    splits = query(
        demo_database,
        "SELECT transaction_id FROM postings WHERE account_id IS NULL "
        "GROUP BY transaction_id HAVING count(*) >= 2",
    )
    assert splits
    card_payments = query(
        demo_database,
        "SELECT count(*) FROM transactions WHERE payee = 'Visa card payment'",
    )
    assert card_payments == [(12,)]


def test_demo_leaves_a_balanced_single_file(demo_database: Path) -> None:
    assert sorted(path.name for path in demo_database.parent.iterdir()) == ["demo.db"]
    assert query(demo_database, "PRAGMA journal_mode") == [("delete",)]

    checked = invoke("db", "check", "--database-url", sqlite_url(demo_database))
    assert checked.exit_code == 0, checked.output


def test_demo_is_deterministic(demo_database: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.db"

    result = invoke("demo", "--database-url", sqlite_url(second))

    assert result.exit_code == 0, result.output
    assert ledger_facts(second) == ledger_facts(demo_database)


def test_demo_refuses_a_database_with_transactions_unless_forced(
    demo_database: Path, tmp_path: Path
) -> None:
    path = tmp_path / "finance.db"
    path.write_bytes(demo_database.read_bytes())
    before = ledger_facts(path)

    refused = invoke("demo", "--database-url", sqlite_url(path))

    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert ledger_facts(path) == before

    forced = invoke("demo", "--database-url", sqlite_url(path), "--force")

    assert forced.exit_code == 0, forced.output
    assert ledger_facts(path) == before  # replaced, not added on top


def test_demo_refuses_when_the_local_user_already_has_accounts(tmp_path: Path) -> None:
    path = tmp_path / "finance.db"
    assert invoke("db", "upgrade", "--database-url", sqlite_url(path)).exit_code == 0
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(
            """
            INSERT INTO users (id, email, display_name, created_at)
                VALUES (1, 'demo@example.com', '', '2026-01-01 00:00:00');
            INSERT INTO accounts (owner_id, name, name_key, type, currency,
                                  opening_balance_minor, opening_date, archived, note, created_at)
                VALUES (1, 'Checking', 'checking', 'checking', 'USD', 0, '2026-01-01', 0, '',
                        '2026-01-01 00:00:00');
            """
        )

    refused = invoke("demo", "--database-url", sqlite_url(path))

    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert query(path, "SELECT count(*) FROM accounts") == [(1,)]


def test_help_lists_the_commands() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    for command in ("serve", "db", "demo"):
        assert command in result.output
