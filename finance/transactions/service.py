"""Rules for transactions: every transaction's postings balance to zero per currency, name only
the owner's active accounts and categories, and a reconciled transaction's amounts stay put.
Each write commits before it returns."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts.models import Account
from finance.accounts.repository import AccountRepository
from finance.categories.repository import CategoryRepository
from finance.errors import Conflict, InvalidInput, NotFound
from finance.pagination import Position, decode_cursor, encode_cursor
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
    """Replace a transaction's fields and lines; a reconciled one keeps its amounts."""
    repository = TransactionRepository(db, owner_id)
    transaction = await _load(repository, transaction_id)
    postings = await _postings(db, owner_id, data)
    if (
        transaction.status is TransactionStatus.RECONCILED
        and data.status is TransactionStatus.RECONCILED
        and _legs(postings) != _legs(transaction.postings)
    ):
        raise Conflict(
            f"transaction {transaction.id} is reconciled; set its status to cleared "
            "to change its amounts or accounts"
        )
    transaction.date, transaction.payee, transaction.memo = data.date, data.payee, data.memo
    transaction.status = data.status
    transaction.postings = postings
    await db.flush()
    await db.commit()
    return transaction


async def update_transaction(
    *, db: AsyncSession, owner_id: int, transaction_id: int, data: TransactionUpdate
) -> Transaction:
    """Change the date, payee, memo or status."""
    repository = TransactionRepository(db, owner_id)
    transaction = await _load(repository, transaction_id)
    for field, value in data.changes().items():
        setattr(transaction, field, value)
    await db.flush()
    await db.commit()
    return transaction


async def delete_transaction(*, db: AsyncSession, owner_id: int, transaction_id: int) -> None:
    """Delete a transaction and its postings."""
    repository = TransactionRepository(db, owner_id)
    await repository.delete(await _load(repository, transaction_id))
    await db.commit()


async def _load(repository: TransactionRepository, transaction_id: int) -> Transaction:
    transaction = await repository.get(transaction_id)
    if transaction is None:
        raise NotFound("transaction", transaction_id)
    return transaction


async def _postings(db: AsyncSession, owner_id: int, data: TransactionCreate) -> list[Posting]:
    """The balanced postings for a shape, after checking every account and category it names."""
    accounts = AccountRepository(db, owner_id)
    categories = CategoryRepository(db, owner_id)
    postings: list[Posting]
    if isinstance(data, TransferCreate):
        source = await _open_account(accounts, "from_account_id", data.from_account_id, data.date)
        target = await _open_account(accounts, "to_account_id", data.to_account_id, data.date)
        postings = shapes.transfer_postings(data, source, target)
    elif isinstance(data, SplitTransactionCreate):
        account = await _open_account(accounts, "account_id", data.account_id, data.date)
        for index, line in enumerate(data.splits):
            await _existing_category(categories, f"splits.{index}.category_id", line.category_id)
        postings = shapes.split_postings(data, account)
    else:
        assert isinstance(data, SimpleTransactionCreate)
        account = await _open_account(accounts, "account_id", data.account_id, data.date)
        await _existing_category(categories, "category_id", data.category_id)
        postings = shapes.simple_postings(data, account)
    unbalanced = shapes.unbalanced_currencies(postings)
    if unbalanced:  # the shapes balance by construction; this guards the invariant itself
        raise InvalidInput("amount", f"postings do not balance in {', '.join(unbalanced)}")
    return postings


async def _open_account(
    accounts: AccountRepository, field: str, account_id: int, on: date
) -> Account:
    """The owner's account, if it is active and already open on the transaction's date (its
    opening balance already holds everything before that)."""
    account = await accounts.get(account_id)
    if account is None:
        raise InvalidInput(field, f"account {account_id} not found")
    if account.archived:
        raise InvalidInput(field, f"account {account_id} is archived; unarchive it to add to it")
    if on < account.opening_date:
        raise InvalidInput(
            "date",
            f"{on} is before {account.name}'s opening date ({account.opening_date}); "
            "move the account's opening date back first",
        )
    return account


async def _existing_category(
    categories: CategoryRepository, field: str, category_id: int | None
) -> None:
    if category_id is not None and await categories.get(category_id) is None:
        raise InvalidInput(field, f"category {category_id} not found")


def _legs(postings: list[Posting]) -> Counter[tuple[int | None, int | None, int, str]]:
    """What the postings move and where, without their ids: for comparing before and after."""
    return Counter((p.account_id, p.category_id, p.amount_minor, p.currency) for p in postings)
