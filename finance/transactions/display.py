"""A transaction as a row on a page: who, where, and how much, from one account's side."""

from dataclasses import dataclass
from datetime import date

from finance.ledger.models import Posting, Transaction, TransactionStatus
from finance.money import Money, implied_rate
from finance.transactions.schemas import TransactionType
from finance.transactions.shapes import classify, transfer_sides


@dataclass(frozen=True)
class Row:
    """What a table row shows. `amount_minor` is signed from the side of the account the list
    is filtered by, in its currency (for a transfer listed outside an account: the positive
    amount sent). A transfer's `account_id` and `to_account_id` are where the money left and
    where it went, whichever side is listed."""

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
    exchange: "Exchange | None" = None
    """A transfer between currencies: both sides and the rate it implies."""


@dataclass(frozen=True)
class Exchange:
    """What a transfer between currencies sent and received, and the rate they imply, units
    received per unit sent, trailing zeros dropped ("0.92")."""

    sent_minor: int
    sent_currency: str
    received_minor: int
    received_currency: str
    rate: str


def row(transaction: Transaction, *, account_id: int | None = None) -> Row:
    """The row for a transaction; with `account_id`, as that account's register shows it."""
    postings = transaction.postings
    kind = classify(postings)
    legs = sorted((p for p in postings if p.account_id is not None), key=lambda p: p.amount_minor)
    lines = [p.category_id for p in postings if p.account_id is None and not p.conversion]
    currency = postings[0].currency
    source = legs[0].account_id if legs else None
    target: int | None = None
    if kind is TransactionType.TRANSFER:
        paying, receiving = transfer_sides(postings)
        legs = [paying, receiving]
        source, target = paying.account_id, receiving.account_id
    if account_id is not None:
        mine = [p for p in legs if p.account_id == account_id]
        amount = sum(p.amount_minor for p in mine)
        currency = mine[0].currency if mine else currency
        source = source if kind is TransactionType.TRANSFER else account_id
    elif kind is TransactionType.TRANSFER:
        amount, currency = -legs[0].amount_minor, legs[0].currency
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
        currency=currency,
        exchange=exchange_of(legs[0], legs[1]) if kind is TransactionType.TRANSFER else None,
    )


def exchange_of(paying: Posting, receiving: Posting) -> Exchange | None:
    """A transfer's two sides, if they are in different currencies."""
    if paying.currency == receiving.currency:
        return None
    sent = Money(-paying.amount_minor, paying.currency)
    received = Money(receiving.amount_minor, receiving.currency)
    rate = implied_rate(sent, received)
    rate = rate.rstrip("0").rstrip(".") if "." in rate else rate
    return Exchange(sent.minor, sent.currency, received.minor, received.currency, rate)
