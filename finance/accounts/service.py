"""Rules for accounts. Each write commits before it returns, but `open_account_by`, which is
part of a larger write."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.repository import AccountRepository
from finance.accounts.schemas import AccountCreate, AccountUpdate
from finance.errors import Conflict, InvalidInput, NotFound
from finance.ledger.models import Account
from finance.ledger.repository import LedgerRepository, PostedTotals
from finance.money import Money, to_minor
from finance.names import name_key


@dataclass(frozen=True)
class AccountBalance:
    """An account and its balance as of today (the opening balance plus its postings up to the
    end of today), and its projected balance, counting future-dated postings too."""

    account: Account
    balance_minor: int
    projected_minor: int


@dataclass(frozen=True)
class BalanceAsOf:
    """An account's balance (at the end of `as_of`, or with every posting when None): all
    postings, and cleared ones only."""

    account: Account
    as_of: date | None
    balance_minor: int
    cleared_minor: int


def opening_balance(account: Account, as_of: date | None) -> int:
    """The opening balance counts from the opening date on; without one, from the start."""
    opened = account.opening_date
    if as_of is not None and opened is not None and as_of < opened:
        return 0
    return account.opening_balance_minor


async def list_accounts(
    *, db: AsyncSession, owner_id: int, archived: bool | None = None, today: date | None = None
) -> list[AccountBalance]:
    """The owner's accounts with their balances as of `today` (None: the server's today)."""
    accounts = await AccountRepository(db, owner_id).list(archived=archived)
    return await _with_balances(db, owner_id, accounts, today or date.today())


async def load_account(repository: AccountRepository, account_id: int) -> Account:
    """The owner's account, or `NotFound`."""
    account = await repository.get(account_id)
    if account is None:
        raise NotFound("account", account_id)
    return account


async def find_account(*, db: AsyncSession, owner_id: int, name: str) -> Account:
    """The owner's account with this name, ignoring case (`NotFound` otherwise)."""
    account = await AccountRepository(db, owner_id).get_by_name(name)
    if account is None:
        raise NotFound("account", repr(name))
    return account


async def get_account(*, db: AsyncSession, owner_id: int, account_id: int) -> AccountBalance:
    """One account with its balance."""
    repository = AccountRepository(db, owner_id)
    account = await load_account(repository, account_id)
    return await _with_balance(db, account)


async def get_balance(
    *, db: AsyncSession, owner_id: int, account_id: int, as_of: date | None = None
) -> BalanceAsOf:
    """The account's balance at the end of a day, or counting every posting (future ones too)."""
    account = await load_account(AccountRepository(db, owner_id), account_id)
    ledger = LedgerRepository(db, owner_id)
    if as_of is None:
        totals = (await ledger.posted([account.id])).get(account.id, PostedTotals())
    else:
        totals = await ledger.posted_as_of(account.id, as_of)
    opening = opening_balance(account, as_of)
    return BalanceAsOf(account, as_of, opening + totals.total, opening + totals.cleared)


async def create_account(*, db: AsyncSession, owner_id: int, data: AccountCreate) -> AccountBalance:
    """Open an account; its name must be new to the owner (ignoring case)."""
    repository = AccountRepository(db, owner_id)
    await _require_free_name(repository, data.name)
    account = Account(
        name=data.name,
        type=data.type,
        currency=data.currency,
        opening_balance_minor=to_minor("opening_balance", data.opening_balance, data.currency),
        opening_date=data.opening_date,
        note=data.note,
    )
    await repository.add(account)
    await db.commit()
    return AccountBalance(account, account.opening_balance_minor, account.opening_balance_minor)


async def update_account(
    *, db: AsyncSession, owner_id: int, account_id: int, data: AccountUpdate
) -> AccountBalance:
    """Change an account; its currency only while no transaction uses it."""
    repository = AccountRepository(db, owner_id)
    account = await load_account(repository, account_id)
    changes = data.changes()
    await _check_changes(db, account, changes)
    currency = changes.get("currency", account.currency)
    if "opening_balance" in changes or "currency" in changes:
        amount = changes.pop("opening_balance", None) or _current_opening(account)
        account.opening_balance_minor = to_minor("opening_balance", amount, currency)
    for field, value in changes.items():
        setattr(account, field, value)
    await db.flush()
    result = await _with_balance(db, account)
    await db.commit()
    return result


async def open_account_by(db: AsyncSession, account: Account, day: date) -> None:
    """Move the account's opening date back to `day` if it opens later, inside the caller's
    database transaction (so it lands with what needed it, or not at all): never commits."""
    if account.opening_date is not None and day < account.opening_date:
        account.opening_date = day
        await db.flush()


async def delete_account(*, db: AsyncSession, owner_id: int, account_id: int) -> None:
    """Delete an account that no transaction uses; one with history must be archived instead."""
    repository = AccountRepository(db, owner_id)
    account = await load_account(repository, account_id)
    used = await LedgerRepository(db, owner_id).postings_in_account(account.id)
    if used:
        raise Conflict(f"account {account.id} has {used} transaction line(s); archive it instead")
    await repository.delete(account)
    await db.commit()


async def _check_changes(db: AsyncSession, account: Account, changes: dict[str, Any]) -> None:
    if "name" in changes and name_key(changes["name"]) != account.name_key:
        await _require_free_name(AccountRepository(db, account.owner_id), changes["name"])
    ledger = LedgerRepository(db, account.owner_id)
    currency = changes.get("currency", account.currency)
    if currency != account.currency and await ledger.postings_in_account(account.id):
        raise Conflict(f"account {account.id} has transactions; its currency cannot change")
    if changes.get("opening_date") is not None:
        first = await ledger.first_day(account.id)
        if first is not None and changes["opening_date"] > first:
            raise InvalidInput(
                "opening_date",
                f"the account has transactions from {first}; it must be open by then",
            )


async def _require_free_name(repository: AccountRepository, name: str) -> None:
    if await repository.get_by_name(name) is not None:
        raise Conflict(f"an account named {name!r} already exists")


async def _with_balance(db: AsyncSession, account: Account) -> AccountBalance:
    (balance,) = await _with_balances(db, account.owner_id, [account], date.today())
    return balance


async def _with_balances(
    db: AsyncSession, owner_id: int, accounts: Sequence[Account], today: date
) -> list[AccountBalance]:
    """Balances from the totals: every posting, less those dated after today."""
    ledger = LedgerRepository(db, owner_id)
    account_ids = [account.id for account in accounts]
    posted = await ledger.posted(account_ids)
    future = await ledger.posted_after(account_ids, today)
    balances = []
    for account in accounts:
        projected = account.opening_balance_minor + posted.get(account.id, PostedTotals()).total
        balances.append(AccountBalance(account, projected - future.get(account.id, 0), projected))
    return balances


def _current_opening(account: Account) -> str:
    return str(Money(account.opening_balance_minor, account.currency))
