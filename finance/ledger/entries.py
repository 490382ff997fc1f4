"""What a transaction will be before it is written: an `Entry` (a header and its legs), and the
one set of functions that build the legs of each shape (simple, transfer, split), so that every
writer (the API, the pages, imports, the demo, a backup) balances its postings the same way.
Pure functions: the callers have loaded and checked the accounts and categories they name."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from finance.errors import InvalidInput
from finance.ledger.models import Account, TransactionStatus


class Leg(NamedTuple):
    """One posting to be: an amount into an account, or into a category (neither: an
    uncategorised line, or with `conversion` one side of an exchange between currencies).
    (Tuples, not dataclasses: an import makes hundreds of thousands.)"""

    amount_minor: int
    currency: str
    account_id: int | None = None
    category_id: int | None = None
    memo: str = ""
    conversion: bool = False


class Entry(NamedTuple):
    """A transaction to be: its header and its legs. The timestamps are set only when a backup
    brings back ones that already exist; otherwise they are now."""

    date: date
    legs: Sequence[Leg]
    payee: str = ""
    memo: str = ""
    status: TransactionStatus = TransactionStatus.UNCLEARED
    created_at: datetime | None = None
    updated_at: datetime | None = None


def simple_legs(account: Account, amount_minor: int, category_id: int | None) -> tuple[Leg, ...]:
    """The account moves by `amount_minor`; the category (or none) balances it."""
    return (
        Leg(amount_minor, account.currency, account.id),
        Leg(-amount_minor, account.currency, None, category_id),
    )


def transfer_legs(
    source: Account, target: Account, amount_minor: int, received_minor: int | None = None
) -> tuple[Leg, ...]:
    """Money leaves `source` and enters `target`: `amount_minor` in the source's currency, and
    `received_minor` in the target's. Between currencies each side is balanced by a conversion
    leg in its own currency (as plain-text accounting books an exchange), so every currency
    still sums to zero and no leg is income or spending."""
    if source.id == target.id:
        raise InvalidInput("to_account_id", "a transfer needs two different accounts")
    if amount_minor <= 0:
        raise InvalidInput("amount", "a transfer's amount is positive; swap the accounts instead")
    if source.currency == target.currency:
        if received_minor is not None and received_minor != amount_minor:
            raise InvalidInput(
                "received_amount",
                f"both accounts hold {source.currency}: what is received is the amount sent",
            )
        return (
            Leg(-amount_minor, source.currency, account_id=source.id),
            Leg(amount_minor, target.currency, account_id=target.id),
        )
    if received_minor is None:
        raise InvalidInput(
            "received_amount",
            f"a transfer from {source.currency} to {target.currency} needs the amount received",
        )
    if received_minor <= 0:
        raise InvalidInput("received_amount", "the amount received is positive")
    return (
        Leg(-amount_minor, source.currency, account_id=source.id),
        Leg(amount_minor, source.currency, conversion=True),
        Leg(-received_minor, target.currency, conversion=True),
        Leg(received_minor, target.currency, account_id=target.id),
    )


@dataclass(frozen=True)
class SplitPart:
    """One category line of a split, signed from the account's side (spending is negative)."""

    category_id: int | None
    amount_minor: int
    memo: str = ""


def split_legs(account: Account, parts: Sequence[SplitPart]) -> tuple[Leg, ...]:
    """The account moves by the parts' sum; each part is balanced by its own category leg."""
    lines = [
        Leg(-part.amount_minor, account.currency, category_id=part.category_id, memo=part.memo)
        for part in parts
    ]
    total = sum(part.amount_minor for part in parts)
    return (Leg(total, account.currency, account_id=account.id), *lines)


def unbalanced_currencies(legs: Sequence[Leg]) -> list[str]:
    """The currencies whose legs do not sum to zero (none, for a valid transaction)."""
    sums: dict[str, int] = {}
    for leg in legs:
        sums[leg.currency] = sums.get(leg.currency, 0) + leg.amount_minor
    return sorted(currency for currency, total in sums.items() if total != 0)
