"""How the ledger's reads hold up at scale: a million transactions on SQLite (or PostgreSQL).

    .venv/bin/python benchmarks/ledger_scale.py --transactions 1000000

Fills a fresh database through the journal's bulk path (two postings a transaction, over a few
accounts and categories, ten years up to today), then times the reads a user waits for, through
the real app and its HTTP layer: the first page, a page deep in the history, filtered pages, the
accounts with balances, a balance as of a day, the category figures of a period, the categories
page, the dashboard, a register, the invariant check and `finance db check`. Prints one line
per measurement (median of runs).
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from httpx import ASGITransport, AsyncClient
from sqlalchemy import insert, text

from finance.auth import service as auth_service
from finance.auth.models import BrowserSession, TokenScope
from finance.auth.schemas import TokenCreate
from finance.config import Settings
from finance.credentials import digest, new_secret
from finance.db import Access
from finance.ledger.check import check_ledger, unbalanced_transactions
from finance.ledger.entries import Entry, Leg
from finance.ledger.journal import Journal
from finance.ledger.models import (
    Account,
    AccountType,
    Category,
    CategoryKind,
    TransactionStatus,
)
from finance.ledger.repository import LedgerRepository
from finance.main import create_app
from finance.models import Base
from finance.users.models import User

ACCOUNTS = 6
CATEGORIES = 20
BATCH = 20_000
START = date.today() - timedelta(days=3650)
"""Ten years of transactions up to today, so that "this month" has its share."""
BENCH_EMAIL = "bench@example.com"


async def fill(app_settings: Settings, count: int) -> None:
    """Write `count` transactions for one user through the journal's bulk path (as an import
    does: ids in date order, the totals kept), 20,000 at a time."""
    app = create_app(app_settings)
    engine = app.state.database.engine
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.execute(insert(User), [{"email": BENCH_EMAIL}])
        await connection.execute(
            insert(Account),
            [
                {
                    "owner_id": 1,
                    "name": f"Account {i}",
                    "name_key": f"account {i}",
                    "type": AccountType.CHECKING,
                    "currency": "USD",
                    "opening_date": START,
                }
                for i in range(1, ACCOUNTS + 1)
            ],
        )
        await connection.execute(
            insert(Category),
            [
                {
                    "owner_id": 1,
                    "name": f"Category {i}",
                    "name_key": f"category {i}",
                    "kind": CategoryKind.EXPENSE,
                }
                for i in range(1, CATEGORIES + 1)
            ],
        )
    rng = random.Random(7)
    days = 3650
    database = app.state.database
    for first in range(1, count + 1, BATCH):
        entries = []
        for number in range(first, min(first + BATCH, count + 1)):
            amount = rng.randint(-20_000, 5_000)
            account_id, category_id = rng.randint(1, ACCOUNTS), rng.randint(1, CATEGORIES)
            legs = [
                Leg(amount, "USD", account_id=account_id),
                Leg(-amount, "USD", category_id=category_id),
            ]
            entries.append(
                Entry(
                    date=START + timedelta(days=number * days // count),
                    legs=legs,
                    payee=f"Payee {rng.randint(1, 500)}",
                    status=TransactionStatus.CLEARED,
                )
            )
        async with database.session() as db:
            await Journal(db, 1).record_many(entries)
            await db.commit()
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    await engine.dispose()


async def timed(label: str, action: Callable[[], Awaitable[object]], runs: int = 5) -> None:
    """Print the median wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append(time.perf_counter() - start)
    print(f"{label:<48} {statistics.median(times) * 1000:9.1f} ms")


async def measure(app_settings: Settings) -> None:
    """Time the reads through the app."""
    app = create_app(app_settings)
    async with app.state.database.session() as db:
        _token, secret = await auth_service.create_token(
            db=db, user_id=1, data=TokenCreate(name="benchmark", scope=TokenScope.READ)
        )
        session_secret = new_secret()
        db.add(BrowserSession(user_id=1, secret_hash=digest(session_secret)))
        await db.commit()
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://bench",
        headers={"Authorization": f"Bearer {secret}"},
        cookies={"finance_session": session_secret},
    ) as client:

        async def get(url: str) -> Any:
            response = await client.get(url)
            assert response.status_code == 200, response.text
            return response.json()

        cursor = (await get("/api/v1/transactions?limit=50"))["next_cursor"]
        for _ in range(200):  # 10,000 rows in, or as deep as a small ledger goes
            deeper = (await get(f"/api/v1/transactions?limit=50&cursor={cursor}"))["next_cursor"]
            if deeper is None:
                break
            cursor = deeper
        await timed("first page of 50 transactions", lambda: get("/api/v1/transactions?limit=50"))
        await timed(
            "page of 50 after 10,000 rows (cursor)",
            lambda: get(f"/api/v1/transactions?limit=50&cursor={cursor}"),
        )
        await timed(
            "first page, one account", lambda: get("/api/v1/transactions?limit=50&account_id=3")
        )
        await timed(
            "first page, one category", lambda: get("/api/v1/transactions?limit=50&category_id=7")
        )
        await timed(
            "first page, a month",
            lambda: get("/api/v1/transactions?limit=50&date_from=2020-03-01&date_to=2020-03-31"),
        )
        await timed(
            "first page, payee text search", lambda: get("/api/v1/transactions?limit=50&q=payee 42")
        )
        await timed("accounts list with balances", lambda: get("/api/v1/accounts"), runs=3)
        await timed(
            "one balance as of a day",
            lambda: get("/api/v1/accounts/3/balance?as_of=2020-06-15"),
            runs=3,
        )

        async def page(url: str) -> None:
            response = await client.get(url, headers={"Accept": "text/html"})
            assert response.status_code == 200, response.text

        today = date.today()

        async def figures(date_from: date, date_to: date) -> object:
            async with app.state.database.session(Access.READ) as session:
                return await LedgerRepository(session, 1).category_totals(date_from, date_to)

        await timed(
            "category figures, this month to date", lambda: figures(today.replace(day=1), today)
        )
        await timed(
            "category figures, the 15th to the 14th",
            lambda: figures(date(2020, 3, 15), date(2020, 4, 14)),
        )
        await timed(
            "category figures, a whole year", lambda: figures(date(2020, 1, 1), date(2020, 12, 31))
        )
        await timed("categories page (this month's figures)", lambda: page("/categories"))
        await timed("dashboard page", lambda: page("/"))
        await timed("an account's register, first page", lambda: page("/accounts/3"))

        async def invariant() -> object:
            async with app.state.database.session() as session:
                return await unbalanced_transactions(session)

        await timed("invariant check over every transaction", invariant, runs=1)

        async def db_check() -> object:
            async with app.state.database.session(Access.READ) as session:
                report = await check_ledger(session)
                assert report.ok, report.totals[:3]
                return report

        await timed("finance db check (every total recomputed)", db_check, runs=1)
    await app.state.database.engine.dispose()


def main() -> None:
    """Parse arguments, fill, measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="an empty database; a temporary SQLite file if left out"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        app_settings = Settings(database_url=url, _env_file=None)
        start = time.perf_counter()
        asyncio.run(fill(app_settings, arguments.transactions))
        print(
            f"filled {arguments.transactions:,} transactions in {time.perf_counter() - start:.1f} s"
        )
        asyncio.run(measure(app_settings))


if __name__ == "__main__":
    main()
