"""A transaction as a row on a page: who, where, and how much, from one account's side."""

from dataclasses import dataclass
from datetime import date

from finance.ledger.models import Transaction, TransactionStatus
from finance.transactions.schemas import TransactionType
from finance.transactions.shapes import classify


@dataclass(frozen=True)
class Row:
    """What a table row shows. `amount_minor` is signed from the side of the account the list
    is filtered by (for a transfer listed outside an account: the positive amount moved). A
    transfer's `account_id` and `to_account_id` are where the money left and where it went,
    whichever side is listed."""

    id: int
    date: date
    payee: str
    memo: str
    status: TransactionStatus
    type: TransactionType
    account_id: int | None
    to_account_id: int | None
    category_ids: list[int | None]
    amount_minor: int
    currency: str


def row(transaction: Transaction, *, account_id: int | None = None) -> Row:
    """The row for a transaction; with `account_id`, as that account's register shows it."""
    postings = transaction.postings
    kind = classify(postings)
    legs = sorted((p for p in postings if p.account_id is not None), key=lambda p: p.amount_minor)
    lines = [p.category_id for p in postings if p.account_id is None]
    source = legs[0].account_id if legs else None
    target = legs[1].account_id if kind is TransactionType.TRANSFER else None
    if account_id is not None:
        amount = sum(p.amount_minor for p in legs if p.account_id == account_id)
        source = source if kind is TransactionType.TRANSFER else account_id
    elif kind is TransactionType.TRANSFER:
        amount = legs[1].amount_minor
    else:
        amount = sum(p.amount_minor for p in legs)
    return Row(
        id=transaction.id,
        date=transaction.date,
        payee=transaction.payee,
        memo=transaction.memo,
        status=transaction.status,
        type=kind,
        account_id=source,
        to_account_id=target,
        category_ids=lines,
        amount_minor=amount,
        currency=postings[0].currency,
    )
