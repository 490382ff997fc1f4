"""Rules for transactions: every transaction's postings balance to zero per currency, name only
the owner's active accounts and categories, and a reconciled transaction's amounts stay put.
Each write commits before it returns."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.models import Account
from finance.accounts.repository import AccountRepository
from finance.categories.models import Category
from finance.categories.repository import CategoryRepository
from finance.errors import Conflict, InvalidInput, NotFound
from finance.pagination import Position, decode_cursor, encode_cursor
from finance.timestamps import utc_now
from finance.transactions import shapes
from finance.transactions.models import Posting, Transaction, TransactionStatus
from finance.transactions.repository import TransactionFilter, TransactionRepository
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitTransactionCreate,
    TransactionCreate,
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
    where: TransactionFilter,
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


async def get_transaction(*, db: AsyncSession, owner_id: int, transaction_id: int) -> Transaction:
    """One transaction with its postings, or `NotFound`."""
    return await _load(TransactionRepository(db, owner_id), transaction_id)


async def create_transaction(
    *, db: AsyncSession, owner_id: int, data: TransactionCreate
) -> Transaction:
    """Record a simple transaction, a transfer or a split."""
    postings = await _postings(db, owner_id, data)
    transaction = Transaction(
        date=data.date, payee=data.payee, memo=data.memo, status=data.status, postings=postings
    )
    await TransactionRepository(db, owner_id).add(transaction)
    await db.commit()
    return transaction


async def replace_transaction(
    *, db: AsyncSession, owner_id: int, transaction_id: int, data: TransactionCreate
) -> Transaction:
    """Replace a transaction's fields and lines, in any shape."""
    repository = TransactionRepository(db, owner_id)
    transaction = await _load(repository, transaction_id)
    postings = await _postings(db, owner_id, data, already_used=_account_ids(transaction.postings))
    new_status = data.status if "status" in data.model_fields_set else None
    _check_reconciled(transaction, data.date, postings, new_status)
    transaction.date, transaction.payee, transaction.memo = data.date, data.payee, data.memo
    transaction.status = new_status or transaction.status
    transaction.postings = postings
    transaction.updated_at = utc_now()
    await db.commit()
    return transaction


async def update_transaction(
    *, db: AsyncSession, owner_id: int, transaction_id: int, data: TransactionUpdate
) -> Transaction:
    """Change the date, payee, memo or status."""
    repository = TransactionRepository(db, owner_id)
    transaction = await _load(repository, transaction_id)
    changes = data.changes()
    if "date" in changes:
        _check_reconciled(transaction, changes["date"], transaction.postings, changes.get("status"))
        accounts = AccountRepository(db, owner_id)
        for account_id in _account_ids(transaction.postings):
            account = await accounts.get(account_id)
            assert account is not None  # postings reference existing accounts of their owner
            _require_open_on(account, changes["date"])
    for field, value in changes.items():
        setattr(transaction, field, value)
    await db.commit()
    return transaction


async def delete_transaction(*, db: AsyncSession, owner_id: int, transaction_id: int) -> None:
    """Delete a transaction and its postings; a reconciled one must be unreconciled first."""
    repository = TransactionRepository(db, owner_id)
    transaction = await _load(repository, transaction_id)
    if transaction.status is TransactionStatus.RECONCILED:
        raise Conflict(
            f"transaction {transaction.id} is reconciled; set its status to cleared to delete it"
        )
    await repository.delete(transaction)
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
    transaction: Transaction,
    new_date: date,
    new_postings: list[Posting],
    new_status: TransactionStatus | None,
) -> None:
    """A reconciled transaction keeps its date and what it moves in each account, unless the
    same request sets its status back (categories, payee and memo may change)."""
    if transaction.status is not TransactionStatus.RECONCILED:
        return
    if new_status is not None and new_status is not TransactionStatus.RECONCILED:
        return
    if new_date != transaction.date or _account_legs(new_postings) != _account_legs(
        transaction.postings
    ):
        raise Conflict(
            f"transaction {transaction.id} is reconciled; set its status to cleared "
            "to change its date, amounts or accounts"
        )


async def _postings(
    db: AsyncSession,
    owner_id: int,
    data: TransactionCreate,
    already_used: frozenset[int] = frozenset(),
) -> list[Posting]:
    """The balanced postings for a shape, after checking every account and category it names.
    Accounts in `already_used` may be archived: a transaction keeps the accounts it had."""
    accounts = AccountRepository(db, owner_id)
    categories = CategoryRepository(db, owner_id)

    async def account(field: str, account_id: int) -> Account:
        return await _usable_account(accounts, field, account_id, data.date, already_used)

    postings: list[Posting]
    if isinstance(data, TransferCreate):
        source = await account("from_account_id", data.from_account_id)
        target = await account("to_account_id", data.to_account_id)
        postings = shapes.transfer_postings(data, source, target)
    elif isinstance(data, SplitTransactionCreate):
        for index, line in enumerate(data.splits):
            await _existing_category(categories, f"splits.{index}.category_id", line.category_id)
        postings = shapes.split_postings(data, await account("account_id", data.account_id))
    else:
        assert isinstance(data, SimpleTransactionCreate)
        await _existing_category(categories, "category_id", data.category_id)
        postings = shapes.simple_postings(data, await account("account_id", data.account_id))
    unbalanced = shapes.unbalanced_currencies(postings)
    if unbalanced:  # the shapes balance by construction; this guards the invariant itself
        raise InvalidInput("amount", f"postings do not balance in {', '.join(unbalanced)}")
    return postings


async def _usable_account(
    accounts: AccountRepository,
    field: str,
    account_id: int,
    on: date,
    already_used: frozenset[int],
) -> Account:
    """The owner's account, if it is active (or already used) and open on the date."""
    account = await accounts.get(account_id)
    if account is None:
        raise InvalidInput(field, f"account {account_id} not found")
    if account.archived and account.id not in already_used:
        raise InvalidInput(field, f"account {account_id} is archived; unarchive it to add to it")
    _require_open_on(account, on)
    return account


def _require_open_on(account: Account, day: date) -> None:
    """An account's opening balance already holds everything before its opening date."""
    if day < account.opening_date:
        raise InvalidInput(
            "date",
            f"{day} is before {account.name}'s opening date ({account.opening_date}); "
            "move the account's opening date back first",
        )


async def _existing_category(
    categories: CategoryRepository, field: str, category_id: int | None
) -> None:
    if category_id is not None and await categories.get(category_id) is None:
        raise InvalidInput(field, f"category {category_id} not found")


def _account_ids(postings: list[Posting]) -> frozenset[int]:
    return frozenset(p.account_id for p in postings if p.account_id is not None)


def _account_legs(postings: list[Posting]) -> Counter[tuple[int, int, str]]:
    """What the postings move in each account, without ids: for comparing before and after."""
    return Counter(
        (p.account_id, p.amount_minor, p.currency) for p in postings if p.account_id is not None
    )
