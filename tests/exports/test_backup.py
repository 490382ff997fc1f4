"""`finance export`, `finance import-backup` and `finance backup` on SQLite files, as someone
would run them. Synchronous: the commands run their own event loops."""

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from finance import cli
from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.config import Settings
from finance.db import Database, create_engine
from finance.demo import DEMO_EMAIL
from finance.exports.backup import LEFT_OUT
from finance.ledger.models import AccountType
from finance.models import Base
from finance.transactions import service as transactions
from finance.transactions.schemas import TransferCreate
from finance.users.models import User
from tests.conftest import copy_of

SETTINGS_VARIABLES = [f"FINANCE_{name.upper()}" for name in Settings.model_fields]
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the environment or a `.env` file."""
    monkeypatch.chdir(tmp_path)
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def finance(database: str, *args: str) -> Result:
    """Run `finance ARGS --database-url DATABASE`."""
    return CliRunner().invoke(cli.app, [*args, "--database-url", database])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def empty_database(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    ok(finance(url, "db", "upgrade"))
    return url


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    path = url.removeprefix("sqlite+aiosqlite:///")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_file: Path) -> str:
    """The demo year, a CSV import (a batch and its keys), one that left a line out, a CSV
    mapping, a category rule, and an account without an opening date."""
    url = f"sqlite+aiosqlite:///{copy_of(demo_file, tmp_path_factory.mktemp('demo'))}"
    csv_file = DATA / "malformed" / "formula-injection.csv"
    ok(finance(url, "import", str(csv_file), "--account", "Checking", "--user", DEMO_EMAIL))
    bad_date = DATA / "malformed" / "bad-date.csv"
    ok(finance(url, "import", str(bad_date), "--account", "Checking", "--skip-problem-lines"))
    path = url.removeprefix("sqlite+aiosqlite:///")
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "INSERT INTO category_rules (owner_id, match, pattern, category_id, created_at) "
            "SELECT owner_id, 'contains', 'costco', id, '2026-05-01 10:00:00.123456' "
            "FROM categories WHERE name = 'Groceries'"
        )
        connection.execute(
            "INSERT INTO csv_mappings (account_id, mapping) "
            """SELECT id, '{"date_column": "When"}' FROM accounts WHERE name = 'Savings'"""
        )
        connection.execute("UPDATE accounts SET opening_date = NULL WHERE name = 'Wallet'")
    return url


def test_a_backup_loaded_into_an_empty_database_exports_the_same_bytes(demo, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(first)))
    backup = json.loads(first.read_text())
    assert (backup["format"], backup["version"]) == ("finance-backup", 1)
    assert backup["import_batches"][0]["filename"] == "formula-injection.csv"
    assert backup["category_rules"][0]["pattern"] == "costco"
    assert [m["account"] for m in backup["csv_mappings"]] == [1, 2]
    assert any(t["import_keys"] for t in backup["transactions"])
    assert {a["name"]: a["opening_date"] for a in backup["accounts"]}["Wallet"] is None
    fresh = empty_database(tmp_path / "fresh.db")
    loaded = ok(finance(fresh, "import-backup", str(first)))
    assert f"{len(backup['transactions'])} transactions" in loaded.output
    ok(finance(fresh, "export", "--user", DEMO_EMAIL, str(second)))
    assert first.read_bytes() == second.read_bytes()
    assert query(fresh, f"SELECT password_hash FROM users WHERE email = '{DEMO_EMAIL}'") == [
        (None,)
    ]
    assert "balanced" in ok(finance(fresh, "db", "check")).output


def test_every_table_is_in_the_backup_unless_it_is_left_out_on_purpose(demo, tmp_path):
    file = tmp_path / "backup.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(file)))
    fresh = empty_database(tmp_path / "fresh.db")
    ok(finance(fresh, "import-backup", str(file)))
    assert set(LEFT_OUT) <= set(Base.metadata.tables)
    for table in Base.metadata.sorted_tables:
        if table.name in LEFT_OUT:
            continue
        rows = query(demo, f"SELECT count(*) FROM {table.name}")
        assert rows[0][0] > 0, (
            f"this test's ledger has no {table.name}: give it some, write them to the backup "
            "(finance/exports/backup.py), or name the table in LEFT_OUT with the reason"
        )
        assert query(fresh, f"SELECT count(*) FROM {table.name}") == rows, (
            f"{table.name} did not come back from the backup"
        )


def test_the_demo_marks_come_back_from_a_backup_and_an_older_file_is_all_own(demo, tmp_path):
    file = tmp_path / "backup.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(file)))
    backup = json.loads(file.read_text())
    assert [a.get("demo") for a in backup["accounts"]] == [True] * 4
    assert {c.get("demo") for c in backup["categories"]} == {True}
    marked = (
        "SELECT count(*) FROM accounts WHERE demo "
        "UNION ALL SELECT count(*) FROM categories WHERE demo"
    )
    fresh = empty_database(tmp_path / "fresh.db")
    ok(finance(fresh, "import-backup", str(file)))
    assert query(fresh, marked) == [(4,), (26,)]

    for item in (*backup["accounts"], *backup["categories"]):
        del item["demo"]
    file.write_text(json.dumps(backup))
    older = empty_database(tmp_path / "older.db")
    ok(finance(older, "import-backup", str(file)))
    assert query(older, marked) == [(0,), (0,)]


def test_money_is_written_as_exact_decimal_strings(demo, tmp_path):
    file = tmp_path / "backup.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(file)))
    backup = json.loads(file.read_text())
    amounts = [p["amount"] for t in backup["transactions"] for p in t["postings"]]
    assert all(isinstance(a, str) and a.count(".") == 1 for a in amounts)
    total = sum(int(a.replace(".", "")) for a in amounts)
    assert total == 0


def test_a_file_of_another_format_or_version_is_refused(tmp_path):
    fresh = empty_database(tmp_path / "fresh.db")
    for content in ('{"format": "finance-backup", "version": 2}', '{"format": "other"}', "[1]"):
        file = tmp_path / "wrong.json"
        file.write_text(content)
        refused = finance(fresh, "import-backup", str(file))
        assert refused.exit_code == 1 and "not a finance-backup version 1 file" in refused.output
    (tmp_path / "broken.json").write_text("{")
    assert finance(fresh, "import-backup", str(tmp_path / "broken.json")).exit_code == 1
    assert query(fresh, "SELECT count(*) FROM users") == [(0,)]


def test_a_user_with_data_is_refused_and_nothing_is_written(demo, tmp_path):
    file = tmp_path / "backup.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(file)))
    before = query(demo, "SELECT count(*) FROM transactions")
    refused = finance(demo, "import-backup", str(file))
    assert refused.exit_code == 1 and "already has data" in refused.output
    assert query(demo, "SELECT count(*) FROM transactions") == before


def test_a_broken_file_writes_nothing(demo, tmp_path):
    file = tmp_path / "backup.json"
    ok(finance(demo, "export", "--user", DEMO_EMAIL, str(file)))
    backup = json.loads(file.read_text())
    backup["transactions"][-1]["postings"][0]["amount"] = "1.001"
    file.write_text(json.dumps(backup))
    fresh = empty_database(tmp_path / "fresh.db")
    refused = finance(fresh, "import-backup", str(file), "--user", "other@example.com")
    assert refused.exit_code == 1 and "Refused" in refused.output
    assert query(fresh, "SELECT count(*) FROM users") == [(0,)]


def test_backup_copies_a_live_database_consistently(demo, tmp_path):
    path = demo.removeprefix("sqlite+aiosqlite:///")
    target = tmp_path / "copy.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE postings SET amount_minor = amount_minor + 1 WHERE id = 1")
        copied = finance(demo, "backup", str(target))
        writer.execute("ROLLBACK")
    assert copied.exit_code == 0, copied.output
    copy_url = f"sqlite+aiosqlite:///{target}"
    assert "balanced" in ok(finance(copy_url, "db", "check")).output
    assert query(copy_url, "SELECT count(*) FROM transactions") == query(
        demo, "SELECT count(*) FROM transactions"
    )


def test_backup_refuses_to_overwrite_without_force(demo, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    refused = finance(demo, "backup", str(target))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert target.read_bytes() == b"keep me"
    ok(finance(demo, "backup", str(target), "--force"))
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_backup_refuses_postgresql_with_a_pointer_to_pg_dump(tmp_path):
    refused = finance("postgresql+asyncpg://u@localhost/finance", "backup", str(tmp_path / "x"))
    assert refused.exit_code == 1 and "pg_dump" in refused.output


async def add_an_exchange(url: str) -> None:
    """A user with a USD and a EUR account and 100.00 USD moved into 92.00 EUR."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with Database(engine).session() as db:
            owner = User(email="exchange@example.com")
            db.add(owner)
            await db.commit()
            ids = []
            for name, currency in (("Checking", "USD"), ("Euros", "EUR")):
                data = AccountCreate(
                    name=name,
                    type=AccountType.CHECKING,
                    currency=currency,
                    opening_date=date(2026, 1, 1),
                )
                made = await accounts.create_account(db=db, owner_id=owner.id, data=data)
                ids.append(made.account.id)
            move = TransferCreate(
                from_account_id=ids[0],
                to_account_id=ids[1],
                amount="100.00",
                received_amount="92.00",
                date=date(2026, 10, 3),
            )
            await transactions.create_transaction(db=db, owner_id=owner.id, data=move)
    finally:
        await engine.dispose()


def test_a_transfer_between_currencies_comes_back_from_a_backup_as_it_was(tmp_path):
    books = empty_database(tmp_path / "books.db")
    asyncio.run(add_an_exchange(books))
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    ok(finance(books, "export", "--user", "exchange@example.com", str(first)))
    (moved,) = json.loads(first.read_text())["transactions"]
    assert [(p["account"], p["amount"], p.get("conversion", False)) for p in moved["postings"]] == [
        (1, "-100.00", False),
        (None, "100.00", True),
        (None, "-92.00", True),
        (2, "92.00", False),
    ]
    fresh = empty_database(tmp_path / "fresh.db")
    ok(finance(fresh, "import-backup", str(first)))
    ok(finance(fresh, "export", "--user", "exchange@example.com", str(second)))
    assert first.read_bytes() == second.read_bytes()
    flags = "SELECT amount_minor, currency, conversion FROM postings ORDER BY id"
    assert query(fresh, flags) == query(books, flags)
    assert "balanced" in ok(finance(fresh, "db", "check")).output


def test_a_conversion_posting_on_an_account_is_refused(tmp_path):
    books = empty_database(tmp_path / "books.db")
    asyncio.run(add_an_exchange(books))
    file = tmp_path / "backup.json"
    ok(finance(books, "export", "--user", "exchange@example.com", str(file)))
    backup = json.loads(file.read_text())
    backup["transactions"][0]["postings"][0]["conversion"] = True
    file.write_text(json.dumps(backup))
    fresh = empty_database(tmp_path / "fresh.db")
    refused = finance(fresh, "import-backup", str(file))
    assert refused.exit_code != 0
    assert "a conversion posting names neither an account nor a category" in refused.output
    assert query(fresh, "SELECT count(*) FROM transactions") == [(0,)]
