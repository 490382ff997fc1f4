"""Between the API's three transaction shapes and the postings the ledger stores. Pure functions:
the service has already loaded and checked the accounts and categories they name."""

from collections import defaultdict
from collections.abc import Sequence

from finance.accounts.models import Account
from finance.errors import InvalidInput
from finance.money import format_minor, to_minor
from finance.transactions.models import Posting, Transaction
from finance.transactions.schemas import (
    PostingRead,
    SimpleTransactionCreate,
    SplitRead,
    SplitTransactionCreate,
    TransactionRead,
    TransactionType,
    TransferCreate,
)


def simple_postings(data: SimpleTransactionCreate, account: Account) -> list[Posting]:
    """The account moves by `amount`; the category (or none) balances it."""
    amount = to_minor("amount", data.amount, account.currency)
    return [
        Posting(account_id=account.id, amount_minor=amount, currency=account.currency),
        Posting(category_id=data.category_id, amount_minor=-amount, currency=account.currency),
    ]


def transfer_postings(data: TransferCreate, source: Account, target: Account) -> list[Posting]:
    """Money leaves `source` and enters `target`."""
    if source.id == target.id:
        raise InvalidInput("to_account_id", "a transfer needs two different accounts")
    if source.currency != target.currency:
        raise InvalidInput(
            "to_account_id",
            f"transfers between currencies ({source.currency} to {target.currency}) "
            "are not supported yet",
        )
    amount = to_minor("amount", data.amount, source.currency)
    if amount <= 0:
        raise InvalidInput("amount", "a transfer's amount is positive; swap the accounts instead")
    return [
        Posting(account_id=source.id, amount_minor=-amount, currency=source.currency),
        Posting(account_id=target.id, amount_minor=amount, currency=target.currency),
    ]


def split_postings(data: SplitTransactionCreate, account: Account) -> list[Posting]:
    """The account moves by the lines' sum; each line is balanced by its own category posting."""
    lines = [
        Posting(
            category_id=line.category_id,
            amount_minor=-to_minor(f"splits.{index}.amount", line.amount, account.currency),
            currency=account.currency,
            memo=line.memo,
        )
        for index, line in enumerate(data.splits)
    ]
    total = -sum(line.amount_minor for line in lines)
    return [Posting(account_id=account.id, amount_minor=total, currency=account.currency), *lines]


def unbalanced_currencies(postings: Sequence[Posting]) -> list[str]:
    """The currencies whose postings do not sum to zero (none, for a valid transaction)."""
    sums: dict[str, int] = defaultdict(int)
    for posting in postings:
        sums[posting.currency] += posting.amount_minor
    return sorted(currency for currency, total in sums.items() if total != 0)


def classify(postings: Sequence[Posting]) -> TransactionType:
    """Which face a set of postings shows: simple, transfer, split, or other."""
    accounts = [p for p in postings if p.account_id is not None]
    categories = [p for p in postings if p.account_id is None]
    if len(accounts) == 1 and len(categories) == 1:
        return TransactionType.SIMPLE
    if len(accounts) == 1 and len(categories) > 1:
        return TransactionType.SPLIT
    if (
        len(accounts) == 2
        and not categories
        and accounts[0].amount_minor == -accounts[1].amount_minor
    ):
        return TransactionType.TRANSFER
    return TransactionType.OTHER


def describe(transaction: Transaction, *, include_postings: bool = False) -> TransactionRead:
    """The API view of a stored transaction."""
    postings = transaction.postings
    kind = classify(postings)
    view = TransactionRead(
        id=transaction.id,
        type=kind,
        date=transaction.date,
        payee=transaction.payee,
        memo=transaction.memo,
        status=transaction.status,
        account_id=None,
        amount=None,
        currency=postings[0].currency if postings else None,
        created_at=transaction.created_at,
        updated_at=transaction.updated_at,
        postings=[_posting_view(p) for p in postings] if include_postings else None,
    )
    account_legs = [p for p in postings if p.account_id is not None]
    category_legs = [p for p in postings if p.account_id is None]
    if kind is TransactionType.TRANSFER:
        source, target = sorted(account_legs, key=lambda p: p.amount_minor)
        view.account_id = view.from_account_id = source.account_id
        view.to_account_id = target.account_id
        view.amount = format_minor(target.amount_minor, target.currency)
    elif kind in (TransactionType.SIMPLE, TransactionType.SPLIT):
        (leg,) = account_legs
        view.account_id = leg.account_id
        view.amount = format_minor(leg.amount_minor, leg.currency)
        if kind is TransactionType.SIMPLE:
            view.category_id = category_legs[0].category_id
        else:
            view.splits = [_split_view(p) for p in category_legs]
    return view


def _posting_view(posting: Posting) -> PostingRead:
    return PostingRead(
        id=posting.id,
        account_id=posting.account_id,
        category_id=posting.category_id,
        amount=format_minor(posting.amount_minor, posting.currency),
        currency=posting.currency,
        memo=posting.memo,
    )


def _split_view(posting: Posting) -> SplitRead:
    return SplitRead(
        category_id=posting.category_id,
        amount=format_minor(-posting.amount_minor, posting.currency),
        memo=posting.memo,
    )
