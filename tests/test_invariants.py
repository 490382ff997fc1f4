"""After any sequence of API writes, good and bad, the ledger stays whole: every transaction
balances in each currency (transfers between a USD and a EUR account among them), and every
balance is its opening balance plus its postings, as a user would add it up."""

import random
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient

from finance.ledger.check import unbalanced_transactions
from tests.api import API, add_account, add_category

STEPS = 60


class LedgerModel:
    """What the balances should be, kept by the test from the writes that succeeded."""

    def __init__(self, client: AsyncClient, rng: random.Random) -> None:
        self.client = client
        self.rng = rng
        self.balances: dict[int, Decimal] = {}
        self.currencies: dict[int, str] = {}
        self.effects: dict[int, dict[int, Decimal]] = {}  # transaction id -> account -> change
        self.categories: list[int] = []

    def amount(self) -> Decimal:
        return Decimal(self.rng.randint(-50_000, 50_000)).scaleb(-2)

    def account(self) -> int:
        return self.rng.choice(sorted(self.balances))

    async def write(self, method: str, url: str, payload: Any = None) -> dict[str, Any] | None:
        response = await self.client.request(method, url, json=payload)
        if response.status_code >= 300:
            assert response.status_code in (404, 409, 422), response.text
            return None
        return response.json() if response.content else {}

    def apply(self, transaction_id: int, effect: dict[int, Decimal]) -> None:
        for account_id, change in self.effects.pop(transaction_id, {}).items():
            self.balances[account_id] -= change
        for account_id, change in effect.items():
            self.balances[account_id] += change
        self.effects[transaction_id] = effect

    def random_shape(self) -> tuple[dict[str, Any], dict[int, Decimal]]:
        """A payload in one of the three shapes, sometimes invalid, and its effect if it lands."""
        day = f"2026-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        shape = self.rng.choice(["simple", "transfer", "split", "bad"])
        account = self.account()
        if shape == "simple":
            amount = self.amount()
            category = self.rng.choice([None, *self.categories])
            payload = {
                "date": day,
                "account_id": account,
                "amount": str(amount),
                "category_id": category,
            }
            return payload, {account: amount}
        if shape == "transfer":
            return self.random_transfer(day, account)
        if shape == "split":
            lines = [self.amount() for _ in range(self.rng.randint(2, 4))]
            splits = [
                {"category_id": self.rng.choice(self.categories), "amount": str(a)} for a in lines
            ]
            return {"date": day, "account_id": account, "splits": splits}, {
                account: sum(lines, Decimal(0))
            }
        bad_amount = self.rng.choice(["0.001", "1e5", "-", "99999999999999"])
        return {"date": day, "account_id": account, "amount": bad_amount}, {}

    def random_transfer(self, day: str, account: int) -> tuple[dict[str, Any], dict[int, Decimal]]:
        """A transfer, between currencies when the accounts' differ: with an amount received
        (usually; sometimes none, or not positive, which is refused)."""
        target = self.account()
        amount = abs(self.amount())
        received = self.rng.choice([None, amount, self.amount()])
        payload = {
            "date": day,
            "from_account_id": account,
            "to_account_id": target,
            "amount": str(amount),
            "received_amount": None if received is None else str(received),
        }
        within_one = self.currencies[account] == self.currencies[target]
        lands = amount > 0 and target != account
        if within_one:
            lands = lands and received in (None, amount)
        else:
            lands = lands and received is not None and received > 0
        arrives = amount if received is None else received
        return payload, ({account: -amount, target: arrives} if lands else {})

    async def step(self) -> None:
        action = self.rng.choice(
            ["create", "create", "create", "replace", "patch", "delete", "opening"]
        )
        if action == "create" or (action in ("replace", "patch", "delete") and not self.effects):
            payload, effect = self.random_shape()
            body = await self.write("POST", f"{API}/transactions", payload)
            if body is not None:
                self.apply(body["id"], effect)
            return
        if action == "opening":
            account, change = self.account(), self.amount()
            current = Decimal(
                (await self.client.get(f"{API}/accounts/{account}")).json()["opening_balance"]
            )
            if (
                await self.write(
                    "PATCH", f"{API}/accounts/{account}", {"opening_balance": str(current + change)}
                )
                is not None
            ):
                self.balances[account] += change
            return
        transaction_id = self.rng.choice(sorted(self.effects))
        url = f"{API}/transactions/{transaction_id}"
        if action == "delete":
            if await self.write("DELETE", url) is not None:
                self.apply(transaction_id, {})
        elif action == "patch":
            await self.write(
                "PATCH", url, {"payee": f"payee {self.rng.randint(1, 9)}", "status": "cleared"}
            )
        else:
            payload, effect = self.random_shape()
            if await self.write("PUT", url, payload) is not None:
                self.apply(transaction_id, effect)


async def assert_ledger_is_whole(
    client: AsyncClient, session_factory, owner, model: LedgerModel
) -> None:
    async with session_factory() as db:
        assert await unbalanced_transactions(db) == []
    postings_by_account: dict[int, Decimal] = {}
    cursor = None
    while True:
        query = "?include=postings&limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"{API}/transactions{query}")).json()
        for item in page["items"]:
            assert len(item["postings"]) >= 2
            by_currency: dict[str, Decimal] = {}
            for posting in item["postings"]:
                currency = posting["currency"]
                by_currency[currency] = by_currency.get(currency, Decimal(0)) + Decimal(
                    posting["amount"]
                )
            assert set(by_currency.values()) == {Decimal(0)}
            for posting in item["postings"]:
                if posting["account_id"] is not None:
                    account = posting["account_id"]
                    postings_by_account[account] = postings_by_account.get(
                        account, Decimal(0)
                    ) + Decimal(posting["amount"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    for account in (await client.get(f"{API}/accounts")).json():
        expected = Decimal(account["opening_balance"]) + postings_by_account.get(
            account["id"], Decimal(0)
        )
        projected = Decimal(account["projected_balance"])  # every posting, future ones too
        assert projected == expected == model.balances[account["id"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_any_sequence_of_writes_keeps_the_ledger_whole(client, session_factory, owner, seed):
    model = LedgerModel(client, random.Random(seed))
    for name, currency in (("Checking", "USD"), ("Savings", "USD"), ("Euros", "EUR")):
        account = await add_account(client, name, opening_balance="100.00", currency=currency)
        model.balances[account["id"]] = Decimal("100.00")
        model.currencies[account["id"]] = currency
    model.categories = [
        (await add_category(client, name))["id"] for name in ("Food", "Rent", "Fun")
    ]
    for _ in range(STEPS):
        await model.step()
        await assert_ledger_is_whole(client, session_factory, owner, model)
    assert len(model.effects) > 5
