"""Whether one big upload freezes everyone: while a client previews (and then imports) a large
bank CSV through the API, another asks `/health` every 20 ms.

    .venv/bin/python benchmarks/upload_responsiveness.py --rows 450000   # about 20 MB

Serves a new SQLite file (or the empty database `--database-url` names) with `finance serve`,
writes a bank-shaped CSV of `--rows` lines, and sends it to `POST /api/v1/imports/preview`, then
to `POST /api/v1/imports`. Prints, for each, how long it took, how big the answer was, and the
`/health` latency beside it (median, p99, worst) with how many health checks were answered; and
the server's peak memory (from /proc, Linux only).
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from import_csv import write_statement
from served import Served, served

HEALTH_EVERY = 0.02


async def health_until(base: str, stop: asyncio.Event) -> list[float]:
    """`/health` latencies in ms, one request every `HEALTH_EVERY` seconds until `stop`."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        while not stop.is_set():
            started = time.perf_counter()
            (await client.get("/health")).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(HEALTH_EVERY)
    return latencies


async def upload_beside_health(
    app: Served, path: str, upload: tuple[str, bytes], account: int
) -> None:
    """Send the file to `path` while health is checked; print both."""
    stop = asyncio.Event()
    checks = asyncio.create_task(health_until(app.base, stop))
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=app.base, headers=app.headers, timeout=600) as client:
        answer = await client.post(
            f"/api/v1/imports{path}",
            data={"account_id": str(account)},
            files={"file": (*upload, "text/csv")},
        )
    took = time.perf_counter() - started
    stop.set()
    latencies = sorted(await checks)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if len(latencies) >= 100 else latencies[-1]
    print(
        f"POST /imports{path or ''}: {answer.status_code} in {took:.1f} s,"
        f" {len(answer.content) / 1e6:.2f} MB answer; /health beside it:"
        f" {len(latencies)} answered, median {statistics.median(latencies):.0f} ms,"
        f" p99 {p99:.0f} ms, worst {latencies[-1]:.0f} ms"
    )


def main() -> None:
    """Prepare, serve, upload and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=450_000)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_file = Path(folder) / "statement.csv"
        write_statement(csv_file, arguments.rows)
        print(f"{arguments.rows:,} lines, {csv_file.stat().st_size / 1e6:.1f} MB")
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        with served(url) as app:
            account = {
                "name": "Checking",
                "type": "checking",
                "currency": "USD",
                "opening_date": "2019-01-01",
            }
            created = httpx.post(f"{app.base}/api/v1/accounts", json=account, headers=app.headers)
            account_id = created.raise_for_status().json()["id"]
            upload = (csv_file.name, csv_file.read_bytes())
            for path in ("/preview", ""):
                asyncio.run(upload_beside_health(app, path, upload, account_id))
            print(f"server peak memory: {app.peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
