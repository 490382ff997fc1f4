"""How fast a large bank CSV imports, and in how much memory: 100,000 rows by default.

    .venv/bin/python benchmarks/import_csv.py --rows 100000

Writes a CSV in the shape of a real bank export (ISO dates, signed amounts, a running balance,
a few hundred payees), then imports it with `finance import` into a fresh SQLite file (or the
database `--database-url` names, which must be empty), as a user would. Prints the wall time,
the rate, and the peak memory of the importing process; then imports the same file again (every
line a duplicate) and prints that time too.
"""

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PAYEES = [f"Merchant {n:03d}" for n in range(400)]


def write_statement(path: Path, rows: int) -> None:
    """A bank-shaped CSV with `rows` lines over a few years."""
    rng = random.Random(7)
    balance = 1_000_000
    day = date(2020, 1, 1)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Date", "Description", "Amount", "Balance"])
        for index in range(rows):
            day += timedelta(days=1) if index % 60 == 59 else timedelta()
            cents = rng.randint(-25_000, 20_000)
            balance += cents
            writer.writerow(
                [day.isoformat(), rng.choice(PAYEES), f"{cents / 100:.2f}", f"{balance / 100:.2f}"]
            )


def finance(*args: str, stdin: str | None = None) -> float:
    """Run a `finance` command; its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from finance.cli import app; app()", *args],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def prepare(database_url: str) -> None:
    """Migrate, and give the database a user with a Checking account opened in 2019."""
    finance("db", "upgrade", "--database-url", database_url)
    finance(
        "users",
        "create",
        "bench@example.com",
        "--password-stdin",
        "--database-url",
        database_url,
        stdin="correct-horse-ledger-42\n",
    )
    script = (
        "import asyncio, datetime, finance.models\n"
        "from finance.cli_common import database_session\n"
        "from finance.accounts import service\n"
        "from finance.accounts.schemas import AccountCreate\n"
        "async def main():\n"
        f"    async with database_session({database_url!r}) as db:\n"
        "        data = AccountCreate(name='Checking', type='checking', currency='USD',\n"
        "                             opening_date=datetime.date(2019, 1, 1))\n"
        "        await service.create_account(db=db, owner_id=1, data=data)\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        statement = Path(folder) / "statement.csv"
        write_statement(statement, arguments.rows)
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        prepare(url)
        command = ("import", str(statement), "--account", "Checking", "--database-url", url)
        size_mb = statement.stat().st_size / 1e6
        first = finance(*command)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        again = finance(*command)
    print(f"rows {arguments.rows:,} ({size_mb:.1f} MB of CSV)")
    print(f"import: {first:.2f} s, {arguments.rows / first:,.0f} rows/s, peak {peak_mb:.0f} MB")
    print(f"import again (all duplicates): {again:.2f} s")


if __name__ == "__main__":
    main()
