"""API shapes for accounts."""

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, StrictBool

from finance.ledger.models import Account, AccountType
from finance.money import CurrencyCode, DecimalString, format_minor
from finance.schemas import Day, InputModel, OutputModel, PatchModel

AccountName = Annotated[str, Field(min_length=1, max_length=100, examples=["Checking"])]
Note = Annotated[str, Field(max_length=2000)]


class AccountCreate(InputModel):
    """A new account. The opening balance is what it held on the opening date, or before its
    first transaction when there is no opening date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Checking",
                    "type": "checking",
                    "currency": "USD",
                    "opening_balance": "1250.00",
                    "opening_date": "2026-01-01",
                }
            ]
        }
    )

    name: AccountName
    type: AccountType
    currency: CurrencyCode
    opening_balance: DecimalString = "0"
    opening_date: Day | None = Field(
        default=None,
        description="Null (the default): no limit, so older transactions can be entered at "
        "any time; otherwise none may be dated earlier.",
    )
    note: Note = ""


class AccountUpdate(PatchModel):
    """Changes to an account; fields left out keep their value."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Joint checking", "archived": True}]}
    )

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"opening_date"})

    name: AccountName | None = None
    type: AccountType | None = None
    currency: CurrencyCode | None = None
    opening_balance: DecimalString | None = None
    opening_date: Day | None = Field(default=None, description="Null removes the limit.")
    archived: StrictBool | None = None
    note: Note | None = None


class AccountRead(OutputModel):
    """An account with its balance derived from the ledger: as of today, and projected (with
    future-dated transactions too)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Checking",
                    "type": "checking",
                    "is_liability": False,
                    "currency": "USD",
                    "opening_balance": "1250.00",
                    "opening_date": "2026-01-01",
                    "balance": "3120.55",
                    "projected_balance": "2870.55",
                    "archived": False,
                    "note": "",
                    "created_at": "2026-01-01T09:00:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    type: AccountType
    is_liability: bool
    currency: str
    opening_balance: str
    opening_date: date | None
    balance: str = Field(
        description="At the end of today: the opening balance and every transaction up to "
        "today. Signed: a credit card's or loan's balance is negative when money is owed."
    )
    projected_balance: str = Field(
        description="The balance with future-dated transactions counted too."
    )
    archived: bool
    note: str
    created_at: datetime

    @classmethod
    def build(cls, account: Account, balance_minor: int, projected_minor: int) -> "AccountRead":
        """The API view of an account and its balances (as of today, and projected)."""
        return cls(
            id=account.id,
            name=account.name,
            type=account.type,
            is_liability=account.type.is_liability,
            currency=account.currency,
            opening_balance=format_minor(account.opening_balance_minor, account.currency),
            opening_date=account.opening_date,
            balance=format_minor(balance_minor, account.currency),
            projected_balance=format_minor(projected_minor, account.currency),
            archived=account.archived,
            note=account.note,
            created_at=account.created_at,
        )


class BalanceRead(OutputModel):
    """An account's balance at the end of a day (`as_of` null: counting every transaction)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": 1,
                    "as_of": "2026-10-31",
                    "currency": "USD",
                    "balance": "3120.55",
                    "cleared_balance": "3010.00",
                }
            ]
        }
    )

    account_id: int
    as_of: date | None
    currency: str
    balance: str
    cleared_balance: str
