"""`finance import FILE --account NAME`: a summary, a dry run that writes nothing, refusals that
exit 1 and change nothing, and `--user` where there are several users.

Synchronous tests: the command runs its own event loop."""

import asyncio
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from finance import cli
from finance.accounts import service as accounts
from finance.accounts.schemas import AccountCreate
from finance.cli_common import database_session
from finance.config import Settings
from finance.imports import service
from finance.ledger.models import AccountType
from finance.users.models import User

DATA = Path(__file__).resolve().parent.parent / "data"
SETTINGS_VARIABLES = [f"FINANCE_{name.upper()}" for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the environment or a `.env` file."""
    monkeypatch.chdir(tmp_path)
    for variable in SETTINGS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def add_owner_with_account(url: str, email: str) -> None:
    async def add() -> None:
        async with database_session(url) as db:
            owner = User(email=email)
            db.add(owner)
            await db.commit()
            data = AccountCreate(
                name="Checking",
                type=AccountType.CHECKING,
                currency="USD",
                opening_date=date(2026, 1, 1),
            )
            await accounts.create_account(db=db, owner_id=owner.id, data=data)

    asyncio.run(add())


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A migrated SQLite file with one user who has a Checking account."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'finance.db'}"
    assert CliRunner().invoke(cli.app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    add_owner_with_account(url, "ada@example.com")
    return url


def finance_import(database: str, *args: str) -> Result:
    return CliRunner().invoke(cli.app, ["import", *args, "--database-url", database])


def transactions(database: str) -> int:
    path = database.removeprefix("sqlite+aiosqlite:///")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        count: int = connection.execute("SELECT count(*) FROM transactions").fetchone()[0]
    return count


def test_a_file_imports_with_a_summary_and_comes_in_once(database):
    sample = str(DATA / "checking-2026-10.ofx")
    first = finance_import(database, sample, "--account", "checking")
    assert first.exit_code == 0, first.output
    assert "73 new, 0 already imported, 0 problem(s); net 2029.45 USD" in first.stdout
    assert "Importing" in first.stderr  # the progress bar (drawn in full on a terminal)
    again = finance_import(database, sample, "--account", "Checking")
    assert "0 new, 73 already imported" in again.stdout
    assert transactions(database) == 73


def test_a_dry_run_writes_nothing(database):
    result = finance_import(
        database, str(DATA / "cash-2026-10.qif"), "--account", "Checking", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "14 new" in result.stdout and "nothing was imported" in result.stdout
    assert transactions(database) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [("bad-date.csv", "line 3: Date '2026-13-45'"), ("billion-laughs.xml", "entities")],
)
def test_a_refused_file_exits_1_with_its_reason_and_changes_nothing(database, name, message):
    result = finance_import(database, str(DATA / "malformed" / name), "--account", "Checking")
    assert result.exit_code == 1
    assert message in result.stderr
    assert transactions(database) == 0


def test_an_unknown_account_is_refused(database):
    result = finance_import(database, str(DATA / "cash-2026-10.qif"), "--account", "Nope")
    assert result.exit_code == 1 and "account 'Nope' not found" in result.stderr


def test_with_several_users_the_owner_must_be_named(database):
    add_owner_with_account(database, "bob@example.com")
    sample = str(DATA / "cash-2026-10.qif")
    unnamed = finance_import(database, sample, "--account", "Checking")
    assert unnamed.exit_code == 1 and "--user" in unnamed.stderr
    named = finance_import(database, sample, "--account", "Checking", "--user", "bob@example.com")
    assert named.exit_code == 0, named.output
    assert transactions(database) == 14


def test_a_file_read_in_small_chunks_imports_the_same(database, monkeypatch, tmp_path):
    """The command reads a file twice, a chunk at a time: identical lines that straddle two
    chunks still count as two, and a second run still finds every one."""
    monkeypatch.setattr(service, "CHUNK", 2)
    coffees = tmp_path / "coffees.csv"
    coffees.write_text(
        "Date,Description,Amount\n"
        + "2026-10-03,Blue Bottle,-4.50\n" * 3
        + "2026-10-04,Blue Bottle,-4.50\n"
    )
    first = finance_import(database, str(coffees), "--account", "Checking")
    assert "4 new, 0 already imported" in first.stdout, first.output
    again = finance_import(database, str(coffees), "--account", "Checking")
    assert "0 new, 4 already imported" in again.stdout, again.output
    assert transactions(database) == 4


def test_bad_lines_are_left_out_when_asked(database):
    bad_date = str(DATA / "malformed" / "bad-date.csv")
    refused = finance_import(database, bad_date, "--account", "Checking")
    assert refused.exit_code == 1 and "--skip-problem-lines" in refused.stderr
    result = finance_import(database, bad_date, "--account", "Checking", "--skip-problem-lines")
    assert result.exit_code == 0, result.output
    assert "Imported as import 1 into Checking, 1 line(s) left out." in result.stdout
    assert transactions(database) == 2


def test_the_opening_date_moves_back_to_the_statement_when_asked(database):
    early = DATA / "checking-2026-10.csv"
    with closing(sqlite3.connect(database.removeprefix("sqlite+aiosqlite:///"))) as connection:
        with connection:
            connection.execute("UPDATE accounts SET opening_date = '2026-10-15'")
        refused = finance_import(database, str(early), "--account", "Checking")
        assert refused.exit_code == 1 and "--move-opening-date" in refused.stderr
        assert "to 2026-10-01" in refused.stderr and transactions(database) == 0
        moving = ("--account", "Checking", "--move-opening-date")
        result = finance_import(database, str(early), *moving)
        assert result.exit_code == 0, result.output
        assert transactions(database) == 73
        (opening,) = connection.execute("SELECT opening_date FROM accounts").fetchone()
    assert opening == "2026-10-01"
