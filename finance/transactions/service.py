"""Rules for transactions: every transaction's postings balance to zero per currency, name only
the owner's active accounts and categories, and a reconciled transaction's amounts stay put.
Each write commits before it returns."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.service import AccountBalance
from finance.categories.repository import CategoryRepository
from finance.errors import Conflict, InvalidInput, NotFound
from finance.ledger.entries import Entry, Leg
from finance.ledger.journal import Journal
from finance.ledger.models import Account, Category, Posting, Transaction, TransactionStatus
from finance.ledger.repository import LedgerRepository
from finance.pagination import Position, decode_cursor, encode_cursor
from finance.transactions import shapes
from finance.transactions.repository import TransactionRepository
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitTransactionCreate,
    TransactionCreate,
    TransactionFilters,
    TransactionUpdate,
    TransferCreate,
)


@dataclass(frozen=True)
class Page:
    """A page of transactions and the cursor for the next, if there is one."""

    items: list[Transaction]
    next_cursor: str | None


async def list_transactions(
    *,
    db: AsyncSession,
    owner_id: int,
    where: TransactionFilters,
    cursor: str | None,
    limit: int,
) -> Page:
    """One page of matching transactions, newest first."""
    after = decode_cursor(cursor) if cursor else None
    rows = list(await TransactionRepository(db, owner_id).page(where, after=after, limit=limit + 1))
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], encode_cursor(Position(last.date, last.id)))


@dataclass(frozen=True)
class RegisterLine:
    """One transaction in an account's register, and the balance right after it."""

    transaction: Transaction
    balance_minor: int


@dataclass(frozen=True)
class Register:
    """A page of an account's transactions, newest first, each with its running balance."""

    account: AccountBalance
    lines: list[RegisterLine]
    next_cursor: str | None


async def register(
    *, db: AsyncSession, owner_id: int, account_id: int, cursor: str | None, limit: int
) -> Register:
    """One page of the account's register: the running balance after each transaction."""
    account = await accounts.get_account(db=db, owner_id=owner_id, account_id=account_id)
    page = await list_transactions(
        db=db,
        owner_id=owner_id,
        where=TransactionFilters(account_id=account_id),
        cursor=cursor,
        limit=limit,
    )
    lines: list[RegisterLine] = []
    if page.items:
        top = page.items[0]
        balance = account.account.opening_balance_minor + await LedgerRepository(
            db, owner_id
        ).posted_through(account_id, Position(top.date, top.id))
        for transaction in page.items:
            lines.append(RegisterLine(transaction, balance))
            balance -= sum(
                p.amount_minor for p in transaction.postings if p.account_id == account_id
            )
    return Register(account, lines, page.next_cursor)


async def get_transaction(*, db: AsyncSession, owner_id: int, transaction_id: int) -> Transaction:
    """One transaction with its postings, or `NotFound`."""
    return await _load(TransactionRepository(db, owner_id), transaction_id)


async def create_transaction(
    *, db: AsyncSession, owner_id: int, data: TransactionCreate
) -> Transaction:
    """Record a simple transaction, a transfer or a split."""
    journal = Journal(db, owner_id)
    transaction = await journal.record(await _entry(journal, data))
    await db.commit()
    return transaction


async def create_transactions(
    *, db: AsyncSession, owner_id: int, data: Sequence[TransactionCreate]
) -> int:
    """Record many transactions at once (a year of demo data), each checked as
    `create_transaction` checks it, in one database transaction: all of them or none. How
    many."""
    journal = Journal(db, owner_id)
    entries = [await _entry(journal, item) for item in data]
    await journal.record_many(entries)
    await db.commit()
    return len(entries)


async def replace_transaction(
    *, db: AsyncSession, owner_id: int, transaction_id: int, data: TransactionCreate
) -> Transaction:
    """Replace a transaction's fields and lines, in any shape."""
    transaction = await _load(TransactionRepository(db, owner_id), transaction_id)
    status = data.status if "status" in data.model_fields_set else transaction.status
    journal = Journal(db, owner_id)
    entry = await _entry(journal, data, already_used=_account_ids(transaction.postings))
    entry = entry._replace(status=status)
    _check_reconciled(transaction, entry.date, entry.legs, status)
    await journal.replace(transaction, entry)
    await db.commit()
    return transaction


async def update_transaction(
    *, db: AsyncSession, owner_id: int, transaction_id: int, data: TransactionUpdate
) -> Transaction:
    """Change the date, payee, memo or status."""
    transaction = await _load(TransactionRepository(db, owner_id), transaction_id)
    changes = data.changes()
    if "date" in changes:
        status = changes.get("status", transaction.status)
        _check_reconciled(transaction, changes["date"], _legs(transaction.postings), status)
    await Journal(db, owner_id).amend(transaction, changes)
    await db.commit()
    return transaction


async def delete_transaction(*, db: AsyncSession, owner_id: int, transaction_id: int) -> None:
    """Delete a transaction and its postings; a reconciled one must be unreconciled first."""
    transaction = await _load(TransactionRepository(db, owner_id), transaction_id)
    if transaction.status is TransactionStatus.RECONCILED:
        raise Conflict(
            f"transaction {transaction.id} is reconciled; set its status to cleared to delete it"
        )
    await Journal(db, owner_id).delete(transaction)
    await db.commit()


async def recent_payees(*, db: AsyncSession, owner_id: int, limit: int) -> list[str]:
    """The owner's payees so far, most recently used first: what a payee field can offer."""
    return list(await TransactionRepository(db, owner_id).payees(limit=limit))


async def last_category_for_payee(
    *, db: AsyncSession, owner_id: int, payee: str
) -> Category | None:
    """The category the owner last used with this payee (ignoring case), if any: a suggestion
    for the next transaction with them."""
    category_id = await TransactionRepository(db, owner_id).last_category_for_payee(payee)
    if category_id is None:
        return None
    return await CategoryRepository(db, owner_id).get(category_id)


async def _load(repository: TransactionRepository, transaction_id: int) -> Transaction:
    transaction = await repository.get(transaction_id)
    if transaction is None:
        raise NotFound("transaction", transaction_id)
    return transaction


def _check_reconciled(
    transaction: Transaction, new_date: date, new_legs: Sequence[Leg], new_status: TransactionStatus
) -> None:
    """A reconciled transaction keeps its date and what it moves in each account, unless the
    same request sets its status back (categories, payee and memo may change)."""
    if transaction.status is not TransactionStatus.RECONCILED:
        return
    if new_status is not TransactionStatus.RECONCILED:
        return
    if new_date != transaction.date or _account_moves(new_legs) != _account_moves(
        _legs(transaction.postings)
    ):
        raise Conflict(
            f"transaction {transaction.id} is reconciled; set its status to cleared "
            "to change its date, amounts or accounts"
        )


async def _entry(
    journal: Journal, data: TransactionCreate, already_used: frozenset[int] = frozenset()
) -> Entry:
    """The entry for a shape, after checking every account and category it names. Accounts in
    `already_used` may be archived: a transaction keeps the accounts it had."""
    named: dict[int, Account] = {}
    for field, account_id in _account_fields(data):
        named[account_id] = await _usable_account(journal, field, account_id, already_used)
    for field, category_id in _category_fields(data):
        if not await journal.categories([category_id]):
            raise InvalidInput(field, f"category {category_id} not found")
    return Entry(
        date=data.date,
        legs=shapes.legs_of(data, named),
        payee=data.payee,
        memo=data.memo,
        status=data.status,
    )


def _account_fields(data: TransactionCreate) -> list[tuple[str, int]]:
    """The accounts a shape names, each with the field that names it."""
    if isinstance(data, TransferCreate):
        return [("from_account_id", data.from_account_id), ("to_account_id", data.to_account_id)]
    return [("account_id", data.account_id)]


def _category_fields(data: TransactionCreate) -> list[tuple[str, int]]:
    """The categories a shape names, each with the field that names it."""
    if isinstance(data, SplitTransactionCreate):
        return [
            (f"splits.{index}.category_id", line.category_id)
            for index, line in enumerate(data.splits)
            if line.category_id is not None
        ]
    if isinstance(data, SimpleTransactionCreate) and data.category_id is not None:
        return [("category_id", data.category_id)]
    return []


async def _usable_account(
    journal: Journal, field: str, account_id: int, already_used: frozenset[int]
) -> Account:
    """The owner's account, if it is active (or already used)."""
    account = (await journal.accounts([account_id])).get(account_id)
    if account is None:
        raise InvalidInput(field, f"account {account_id} not found")
    if account.archived and account.id not in already_used:
        raise InvalidInput(field, f"account {account_id} is archived; unarchive it to add to it")
    return account


def _account_ids(postings: Sequence[Posting]) -> frozenset[int]:
    return frozenset(p.account_id for p in postings if p.account_id is not None)


def _legs(postings: Sequence[Posting]) -> list[Leg]:
    return [Leg(p.amount_minor, p.currency, account_id=p.account_id) for p in postings]


def _account_moves(legs: Sequence[Leg]) -> Counter[tuple[int, int, str]]:
    """What the legs move in each account: for comparing before and after."""
    return Counter(
        (leg.account_id, leg.amount_minor, leg.currency)
        for leg in legs
        if leg.account_id is not None
    )
