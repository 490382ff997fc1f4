"""A busy household: fifty clients writing at once while ten others read, then a reconciliation
of what the database holds against what every client was told.

    .venv/bin/python benchmarks/load_writes.py                      # SQLite, one worker
    .venv/bin/python benchmarks/load_writes.py --workers 2
    .venv/bin/python benchmarks/load_writes.py \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/finance_bench  # empty database

Serves a new database with `finance serve` on a loopback port. Each of `--clients` writers does
`--writes` requests in turn: a simple transaction, a transfer, a split, a PATCH of the payee, a
PUT replacing one with a new amount, a DELETE, and again; ten readers ask for the newest page of
transactions as fast as answers come until the writers finish. Prints writes a second, the
readers' latency, and how many answers each status got. Then it reconciles: every transaction a
client was told exists is there with the payee and amount it was told, every one it deleted is
gone, the checking account's balance is the sum of what the clients believe, and `finance db
check` finds the ledger balanced. It uses only the command line and the HTTP API, so it measures
an older version of the app too (`--workers` needs `finance serve --workers`).
"""

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import cycle

import httpx
from served import FINANCE, Served, served

READERS = 10
DAY = "2026-01-15"
"""Every write's date: in the past, so balances as of today and projected ones agree."""


@dataclass
class Believed:
    """What one writer was told: the transactions alive (id → payee, effect on Checking in
    cents) and the ones it deleted."""

    alive: dict[int, tuple[str, int]] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)


@dataclass
class Tally:
    """Every answer's status, the readers' latencies, and what was unsure."""

    statuses: Counter[str] = field(default_factory=Counter)
    read_latencies: list[float] = field(default_factory=list)
    writes: int = 0
    unknown_outcomes: int = 0


@dataclass(frozen=True)
class Ledger:
    """The ids the writers write with."""

    checking: int
    savings: int
    groceries: int
    household: int


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def amount(value: int) -> str:
    return str(Decimal(value) / 100)


def create_body(
    shape: str, ledger: Ledger, payee: str, value: int
) -> tuple[dict[str, object], int]:
    """A new transaction of `shape` costing Checking `value` cents; its body and its effect."""
    header = {"date": DAY, "payee": payee}
    if shape == "transfer":
        body = {**header, "from_account_id": ledger.checking, "to_account_id": ledger.savings}
        return {**body, "amount": amount(value)}, -value
    if shape == "split":
        first = value // 2
        splits = [
            {"category_id": ledger.groceries, "amount": amount(-first)},
            {"category_id": ledger.household, "amount": amount(first - value)},
        ]
        return {**header, "account_id": ledger.checking, "splits": splits}, -value
    body = {**header, "account_id": ledger.checking, "category_id": ledger.groceries}
    return {**body, "amount": amount(-value)}, -value


async def write(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, json: object = None
) -> httpx.Response | None:
    """One write; its answer, or None when the outcome is unknown (no answer or a 5xx)."""
    tally.writes += 1
    try:
        response = await client.request(method, url, json=json)
    except httpx.HTTPError as error:
        tally.statuses[type(error).__name__] += 1
        tally.unknown_outcomes += 1
        return None
    tally.statuses[str(response.status_code)] += 1
    if response.status_code >= 500:
        tally.unknown_outcomes += 1
        return None
    return response


async def writer(
    number: int, client: httpx.AsyncClient, ledger: Ledger, writes: int, tally: Tally
) -> Believed:
    """`writes` requests cycling through every kind of write; what this client was told."""
    believed = Believed()
    steps = cycle(("simple", "transfer", "split", "patch", "put", "delete"))
    for step_number in range(writes):
        step = next(steps)
        payee = f"client {number} step {step_number}"
        value = 100 + number * 7 + step_number
        mine = list(believed.alive)
        if step in ("patch", "put", "delete") and not mine:
            step = "simple"
        if step == "patch":
            target = mine[step_number % len(mine)]
            answer = await write(
                client, tally, "PATCH", f"/api/v1/transactions/{target}", json={"payee": payee}
            )
            if answer is not None and answer.status_code == 200:
                believed.alive[target] = (payee, believed.alive[target][1])
        elif step == "put":
            target = mine[step_number % len(mine)]
            body, effect = create_body("simple", ledger, payee, value)
            answer = await write(client, tally, "PUT", f"/api/v1/transactions/{target}", json=body)
            if answer is not None and answer.status_code == 200:
                believed.alive[target] = (payee, effect)
        elif step == "delete":
            target = mine[0]
            answer = await write(client, tally, "DELETE", f"/api/v1/transactions/{target}")
            if answer is not None and answer.status_code == 204:
                del believed.alive[target]
                believed.deleted.append(target)
        else:
            body, effect = create_body(step, ledger, payee, value)
            answer = await write(client, tally, "POST", "/api/v1/transactions", json=body)
            if answer is not None and answer.status_code == 201:
                believed.alive[answer.json()["id"]] = (payee, effect)
    return believed


async def reader(client: httpx.AsyncClient, tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            response = await client.get("/api/v1/transactions", params={"limit": 50})
        except httpx.HTTPError as error:
            tally.statuses[f"read {type(error).__name__}"] += 1
            continue
        tally.read_latencies.append(time.perf_counter() - started)
        tally.statuses[f"read {response.status_code}"] += 1


async def burst(
    base: str, token: str, ledger: Ledger, clients: int, writes: int
) -> tuple[list[Believed], Tally, float]:
    """The writers and readers at once; what each writer believes, the tally, the seconds."""
    tally = Tally()
    stop = asyncio.Event()
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients + READERS)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=120, limits=limits
    ) as client:
        readers = [asyncio.create_task(reader(client, tally, stop)) for _ in range(READERS)]
        started = time.perf_counter()
        believed = await asyncio.gather(
            *(writer(number, client, ledger, writes, tally) for number in range(clients))
        )
        seconds = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*readers)
    return list(believed), tally, seconds


async def reconcile(base: str, token: str, ledger: Ledger, believed: list[Believed]) -> list[str]:
    """Every difference between the database and what the writers were told."""
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        for told in believed:
            for transaction_id, (payee, _effect) in told.alive.items():
                stored = (await client.get(f"/api/v1/transactions/{transaction_id}")).json()
                if stored.get("payee") != payee:
                    problems.append(f"transaction {transaction_id}: {stored} is not {payee!r}")
            for transaction_id in told.deleted:
                gone = await client.get(f"/api/v1/transactions/{transaction_id}")
                if gone.status_code != 404:
                    problems.append(f"deleted transaction {transaction_id} answers {gone}")
        balance = (await client.get(f"/api/v1/accounts/{ledger.checking}/balance")).json()
    expected = sum(effect for told in believed for _, effect in told.alive.values())
    if cents(balance["balance"]) != expected:
        problems.append(f"Checking holds {balance['balance']}, the clients believe {expected}")
    return problems


def report(tally: Tally, seconds: float, problems: list[str], check: str) -> None:
    latencies = sorted(latency * 1000 for latency in tally.read_latencies) or [0.0]
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    print(f"{tally.writes} writes in {seconds:.1f} s: {tally.writes / seconds:.0f} writes/s")
    print(
        f"{len(latencies)} reads during them: p50 {statistics.median(latencies):.1f} ms,"
        f" p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(f"answers: {dict(sorted(tally.statuses.items()))}")
    print(f"writes with an outcome no client could know (5xx, no answer): {tally.unknown_outcomes}")
    print("reconciled: " + ("every write as the clients were told" if not problems else ""))
    for problem in problems[:20]:
        print(f"  {problem}")
    print(f"finance db check: {check.strip().splitlines()[-1] if check else '(failed)'}")


def prepare(app: Served) -> Ledger:
    """Open the accounts and categories the writers use."""

    def post(path: str, body: dict[str, str]) -> int:
        response = httpx.post(f"{app.base}/api/v1/{path}", json=body, headers=app.headers)
        response.raise_for_status()
        identifier: int = response.json()["id"]
        return identifier

    account = {"type": "checking", "currency": "USD"}
    return Ledger(
        checking=post("accounts", {**account, "name": "Checking"}),
        savings=post("accounts", {**account, "name": "Savings"}),
        groceries=post("categories", {"name": "Groceries", "kind": "expense"}),
        household=post("categories", {"name": "Household", "kind": "expense"}),
    )


def main() -> None:
    """Prepare, serve, burst, reconcile and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--writes", type=int, default=100, help="per client")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        with served(url, arguments.workers) as app:
            ledger = prepare(app)
            print(
                f"{arguments.clients} clients x {arguments.writes} writes, {READERS} readers,"
                f" {arguments.workers} worker(s), {url.partition(':')[0]}"
            )
            believed, tally, seconds = asyncio.run(
                burst(app.base, app.token, ledger, arguments.clients, arguments.writes)
            )
            problems = asyncio.run(reconcile(app.base, app.token, ledger, believed))
        check = subprocess.run(
            [*FINANCE, "db", "check", "--database-url", url], capture_output=True, text=True
        )
        report(tally, seconds, problems, check.stdout if check.returncode == 0 else check.stderr)


if __name__ == "__main__":
    main()
