"""Reads that never queue behind a writer: eight clients read the transaction list of a served
app while `finance import` writes a large file in one database transaction, and without it.

    .venv/bin/python benchmarks/concurrent_reads.py --rows 100000 --seconds 10

Makes a SQLite file (or uses the empty database `--database-url` names) with a user, a token, two
accounts and `--rows` transactions imported into the first; serves it with `finance serve` on a
free port; then eight clients ask for `GET /api/v1/transactions?limit=50` as fast as answers
come, for `--seconds` alone and again while `finance import` puts another `--rows` lines into
the second account. Prints the reads a second, their latency, every answer that was not 200 (a
503 "database is locked" would be one), and how long the writer took. It uses only the command
line and the HTTP API, so the same script measures an older version of the app too.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from import_csv import write_statement
from served import FINANCE, Served, finance, served

READERS = 8


@dataclass
class Reads:
    """What the readers saw."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)

    def line(self, label: str) -> str:
        ok = self.statuses.get(200, 0)
        ms = sorted(latency * 1000 for latency in self.latencies) or [0.0, 0.0]
        p99 = statistics.quantiles(ms, n=100)[98] if len(ms) > 1 else ms[0]
        others = {code: n for code, n in self.statuses.items() if code != 200}
        errors = f"   errors: {dict(self.failures)}" if self.failures else ""
        return (
            f"{label:<24} {ok / self.seconds:8.0f} reads/s   median {statistics.median(ms):6.1f} ms"
            f"   p99 {p99:7.1f} ms   max {ms[-1]:7.1f} ms   not 200: {others or 'none'}{errors}"
        )


async def read_until(base: str, token: str, stop: asyncio.Event) -> Reads:
    """Eight clients reading the list until `stop` is set."""
    reads = Reads()

    async def reader() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = await client.get("/api/v1/transactions", params={"limit": 50})
                except httpx.HTTPError as error:
                    reads.failures[type(error).__name__] += 1
                    continue
                reads.latencies.append(time.perf_counter() - started)
                reads.statuses[response.status_code] += 1
                if b"database is locked" in response.content:
                    reads.failures["database is locked"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(READERS)))
    reads.seconds = time.perf_counter() - started
    return reads


async def measure(base: str, token: str, seconds: float, writer: list[str]) -> None:
    stop = asyncio.Event()
    alone = asyncio.create_task(read_until(base, token, stop))
    await asyncio.sleep(seconds)
    stop.set()
    print((await alone).line("8 readers, no writer"))

    stop = asyncio.Event()
    beside = asyncio.create_task(read_until(base, token, stop))
    started = time.perf_counter()
    importing = await asyncio.create_subprocess_exec(
        *writer, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, errors = await importing.communicate()
    took = time.perf_counter() - started
    await asyncio.sleep(max(0.0, seconds - took))
    stop.set()
    print((await beside).line("8 readers, 1 importing"))
    outcome = "done" if importing.returncode == 0 else f"failed: {errors.decode()[-300:]}"
    print(f"the writer (finance import) took {took:.1f} s: {outcome}")


def main() -> None:
    """Prepare, serve, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        with served(url) as app:
            prepare(app, Path(folder), url, arguments.rows)
            writer = [
                *FINANCE,
                "import",
                f"{folder}/more.csv",
                "--account",
                "Savings",
                "--database-url",
                url,
            ]
            print(f"{arguments.rows:,} transactions in the ledger; the writer imports as many")
            asyncio.run(measure(app.base, app.token, arguments.seconds, writer))


def prepare(app: Served, folder: Path, url: str, rows: int) -> None:
    """Open two accounts, fill the first, write the second's file."""
    for name in ("Checking", "Savings"):
        account = {
            "name": name,
            "type": "checking",
            "currency": "USD",
            "opening_date": "2019-01-01",
        }
        httpx.post(
            f"{app.base}/api/v1/accounts", json=account, headers=app.headers
        ).raise_for_status()
    write_statement(folder / "ledger.csv", rows)
    write_statement(folder / "more.csv", rows)
    finance("import", str(folder / "ledger.csv"), "--account", "Checking", "--database-url", url)


if __name__ == "__main__":
    main()
