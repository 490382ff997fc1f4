"""Between the API's three transaction shapes and the postings the ledger stores: each shape
read into the ledger's legs (built by `finance.ledger.entries`, as every writer builds them),
and stored postings shown as the shape they have. Pure functions: the service has already
loaded and checked the accounts and categories they name."""

from collections.abc import Mapping, Sequence

from finance.ledger.entries import Leg, SplitPart, simple_legs, split_legs, transfer_legs
from finance.ledger.models import Account, Posting, Transaction
from finance.money import Money, format_minor, implied_rate, to_minor
from finance.transactions.schemas import (
    PostingRead,
    SplitRead,
    SplitTransactionCreate,
    TransactionCreate,
    TransactionRead,
    TransactionType,
    TransferCreate,
)


def legs_of(data: TransactionCreate, accounts: Mapping[int, Account]) -> tuple[Leg, ...]:
    """The ledger's legs for one of the API's shapes; `accounts` holds the accounts it names,
    loaded and checked. Amounts are read in the account's currency, and an error names the
    field as the client sent it."""
    if isinstance(data, TransferCreate):
        source, target = accounts[data.from_account_id], accounts[data.to_account_id]
        received = data.received_amount
        return transfer_legs(
            source,
            target,
            to_minor("amount", data.amount, source.currency),
            None if received is None else to_minor("received_amount", received, target.currency),
        )
    account = accounts[data.account_id]
    if isinstance(data, SplitTransactionCreate):
        parts = [
            SplitPart(
                line.category_id,
                to_minor(f"splits.{index}.amount", line.amount, account.currency),
                line.memo,
            )
            for index, line in enumerate(data.splits)
        ]
        return split_legs(account, parts)
    amount = to_minor("amount", data.amount, account.currency)
    return simple_legs(account, amount, data.category_id)


def classify(postings: Sequence[Posting]) -> TransactionType:
    """Which face a set of postings shows: simple, transfer, split, or other."""
    accounts = [p for p in postings if p.account_id is not None]
    conversions = [p for p in postings if p.conversion]
    categories = [p for p in postings if p.account_id is None and not p.conversion]
    if conversions:
        return TransactionType.TRANSFER if _exchange(postings) else TransactionType.OTHER
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


def _exchange(postings: Sequence[Posting]) -> tuple[Posting, Posting] | None:
    """A transfer between currencies, as (the paying leg, the receiving leg): two account legs
    in different currencies and one conversion leg beside each, balancing it; None otherwise."""
    accounts = sorted((p for p in postings if not p.conversion), key=lambda p: p.amount_minor)
    conversions = {p.currency: p.amount_minor for p in postings if p.conversion}
    if len(accounts) != 2 or len(conversions) != 2 or len(postings) != 4:
        return None
    source, target = accounts
    if source.account_id is None or target.account_id is None:
        return None
    if source.currency == target.currency or source.amount_minor >= 0:
        return None
    if conversions != {
        source.currency: -source.amount_minor,
        target.currency: -target.amount_minor,
    }:
        return None
    return source, target


def transfer_sides(postings: Sequence[Posting]) -> tuple[Posting, Posting]:
    """A transfer's paying and receiving account legs (for a transaction `classify` calls a
    transfer)."""
    exchange = _exchange(postings)
    if exchange is not None:
        return exchange
    source, target = sorted(
        (p for p in postings if p.account_id is not None), key=lambda p: p.amount_minor
    )
    return source, target


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
        source, target = transfer_sides(postings)
        view.account_id = view.from_account_id = source.account_id
        view.to_account_id = target.account_id
        view.amount = format_minor(-source.amount_minor, source.currency)
        view.currency = source.currency
        view.received_amount = format_minor(target.amount_minor, target.currency)
        view.received_currency = target.currency
        if source.currency != target.currency:
            view.exchange_rate = implied_rate(
                Money(source.amount_minor, source.currency),
                Money(target.amount_minor, target.currency),
            )
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
        conversion=posting.conversion,
    )


def _split_view(posting: Posting) -> SplitRead:
    return SplitRead(
        category_id=posting.category_id,
        amount=format_minor(-posting.amount_minor, posting.currency),
        memo=posting.memo,
    )
