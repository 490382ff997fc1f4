"""API shapes for transactions.

A script writes a transaction in one of three shapes, told apart by their fields: a simple one
(`account_id`, `amount`, `category_id`), a transfer (`from_account_id`, `to_account_id`, `amount`)
or a split (`account_id` and several `splits`). All three become postings that balance to zero;
the postings themselves are shown only when asked for (`?include=postings`).
"""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field

from finance.ledger.models import TransactionStatus
from finance.money import DecimalString
from finance.pagination import CURSOR_PATTERN, LARGEST_PAGE
from finance.schemas import Day, InputModel, OutputModel, PatchModel, RowId, union_tag

Payee = Annotated[str, Field(max_length=200, examples=["Whole Foods"])]
Memo = Annotated[str, Field(max_length=2000)]


class TransactionType(StrEnum):
    """The shape of a transaction, read from its postings."""

    SIMPLE = "simple"
    TRANSFER = "transfer"
    SPLIT = "split"
    OTHER = "other"


class TransactionHeader(InputModel):
    """What every shape has."""

    date: Day
    payee: Payee = ""
    memo: Memo = ""
    status: TransactionStatus = TransactionStatus.UNCLEARED


class SimpleTransactionCreate(TransactionHeader):
    """Money into (positive) or out of (negative) an account, in one category or none."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": 1,
                    "date": "2026-10-03",
                    "amount": "-54.23",
                    "payee": "Whole Foods",
                    "category_id": 4,
                }
            ]
        }
    )

    account_id: RowId
    amount: DecimalString = Field(description="Signed, in the account's currency.")
    category_id: RowId | None = None


class TransferCreate(TransactionHeader):
    """Money moved between two of the owner's accounts; between currencies, with the amount
    received as well as the amount sent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_account_id": 1,
                    "to_account_id": 2,
                    "amount": "500.00",
                    "date": "2026-10-05",
                },
                {
                    "from_account_id": 1,
                    "to_account_id": 3,
                    "amount": "100.00",
                    "received_amount": "92.00",
                    "date": "2026-10-06",
                },
            ]
        }
    )

    from_account_id: RowId
    to_account_id: RowId
    amount: DecimalString = Field(
        description="Positive: what leaves the paying account, in its currency (and, between "
        "accounts of one currency, what enters the other)."
    )
    received_amount: DecimalString | None = Field(
        default=None,
        description="Positive: what enters the receiving account, in its currency. Required "
        "when the two accounts' currencies differ; otherwise, if given, equal to `amount`.",
    )


class SplitLine(InputModel):
    """One category line of a split."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"category_id": 7, "amount": "-12.50", "memo": "towels"}]}
    )

    category_id: RowId | None = None
    amount: DecimalString = Field(description="Signed, from the account's point of view.")
    memo: Annotated[str, Field(max_length=200)] = ""


class SplitTransactionCreate(TransactionHeader):
    """One payment spread over several categories; the account moves by the lines' sum."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": 1,
                    "date": "2026-10-08",
                    "payee": "Target",
                    "splits": [
                        {"category_id": 4, "amount": "-30.00"},
                        {"category_id": 7, "amount": "-12.50", "memo": "towels"},
                    ],
                }
            ]
        }
    )

    account_id: RowId
    splits: list[SplitLine] = Field(min_length=2, max_length=100)


def _shape_of(value: Any) -> str:
    """Tell the shapes apart by their fields, so an error speaks of the shape meant."""
    fields = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    if "from_account_id" in fields or "to_account_id" in fields:
        return TransactionType.TRANSFER
    if "splits" in fields:
        return TransactionType.SPLIT
    return TransactionType.SIMPLE


TransactionCreate = Annotated[
    Annotated[SimpleTransactionCreate, union_tag(TransactionType.SIMPLE)]
    | Annotated[TransferCreate, union_tag(TransactionType.TRANSFER)]
    | Annotated[SplitTransactionCreate, union_tag(TransactionType.SPLIT)],
    Discriminator(_shape_of),
]
"""A new transaction (or, with PUT, a whole replacement) in any of the three shapes."""


class TransactionUpdate(PatchModel):
    """Changes to a transaction's date, payee, memo or status; PUT replaces amounts and lines."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "cleared"}]})

    date: Day | None = None
    payee: Payee | None = None
    memo: Memo | None = None
    status: TransactionStatus | None = None


class PostingRead(OutputModel):
    """One leg: an amount into an account, or into a category (none: uncategorised, or a
    `conversion` leg, one side of an exchange between currencies)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 31,
                    "account_id": None,
                    "category_id": 4,
                    "amount": "54.23",
                    "currency": "USD",
                    "memo": "",
                    "conversion": False,
                }
            ]
        }
    )

    id: int
    account_id: int | None
    category_id: int | None
    amount: str
    currency: str
    memo: str
    conversion: bool = Field(
        description="One side of an exchange between currencies: neither income nor spending."
    )


class SplitRead(OutputModel):
    """One category line of a split, signed from the account's point of view."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"category_id": 4, "amount": "-30.00", "memo": ""}]}
    )

    category_id: int | None
    amount: str
    memo: str


class TransactionRead(OutputModel):
    """A transaction in its simple face; `postings` only with `?include=postings`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "type": "simple",
                    "date": "2026-10-03",
                    "payee": "Whole Foods",
                    "memo": "",
                    "status": "uncleared",
                    "account_id": 1,
                    "amount": "-54.23",
                    "currency": "USD",
                    "category_id": 4,
                    "from_account_id": None,
                    "to_account_id": None,
                    "received_amount": None,
                    "received_currency": None,
                    "exchange_rate": None,
                    "splits": None,
                    "created_at": "2026-10-03T18:20:00Z",
                    "updated_at": "2026-10-03T18:20:00Z",
                }
            ]
        }
    )

    id: int
    type: TransactionType
    date: dt.date
    payee: str
    memo: str
    status: TransactionStatus
    account_id: int | None = Field(description="The account (for a transfer: the one paying).")
    amount: str | None = Field(
        description="Signed on the account; a transfer's is positive: what the paying account "
        "sends, in its currency."
    )
    currency: str | None = Field(
        description="The account's currency (for a transfer: the paying account's)."
    )
    category_id: int | None = None
    from_account_id: int | None = None
    to_account_id: int | None = None
    received_amount: str | None = Field(
        default=None,
        description="A transfer's amount received, in the receiving account's currency "
        "(`amount` itself between accounts of one currency).",
    )
    received_currency: str | None = Field(
        default=None, description="A transfer's receiving account's currency."
    )
    exchange_rate: str | None = Field(
        default=None,
        description="Between currencies: the rate the transfer implies, units received per "
        'unit sent, to six significant digits ("0.920000").',
    )
    splits: list[SplitRead] | None = None
    postings: list[PostingRead] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class TransactionPage(OutputModel):
    """One page of transactions, newest first; pass `next_cursor` as `cursor` for the next."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [], "next_cursor": "MjAyNi0xMC0wM3wxMg"}]}
    )

    items: list[TransactionRead]
    next_cursor: str | None


Include = Literal["postings"]


class TransactionFilters(InputModel):
    """The filters of the list, of its export, and of every query of transactions (the one type
    for all three; a field left as None matches everything). A misspelt parameter is refused
    rather than ignored, which would quietly show the whole ledger."""

    account_id: RowId | None = None
    category_id: RowId | None = Field(
        default=None, description="A category; a parent matches its children too."
    )
    date_from: Day | None = Field(default=None, description="On or after this day.")
    date_to: Day | None = Field(default=None, description="On or before this day.")
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Text in the payee or memo, any case; or an amount an account moves by "
        '(a plain decimal: "54.23" matches money in or out, "-54.23" only out, "+54.23" only in).',
    )
    amount_min: DecimalString | None = Field(
        default=None, description="An account amount (signed) at least this."
    )
    amount_max: DecimalString | None = Field(
        default=None, description="An account amount (signed) at most this."
    )
    status: TransactionStatus | None = None


class TransactionQuery(TransactionFilters):
    """The list's query string: its filters, paging and what to include."""

    cursor: str | None = Field(
        default=None, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page."
    )
    limit: int | None = Field(
        default=None, ge=1, le=LARGEST_PAGE, description="Page size, capped by the server."
    )
    include: list[Include] = Field(
        default_factory=list, description="`postings` to show every leg of each transaction."
    )
