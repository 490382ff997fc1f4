"""The accounts table."""

from datetime import date
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from finance.db import Base
from finance.enums import string_enum
from finance.names import name_key
from finance.timestamps import CreatedAt


class AccountType(StrEnum):
    """What kind of account; liabilities are what you owe."""

    CHECKING = "checking"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    INVESTMENT = "investment"
    LOAN = "loan"
    OTHER = "other"

    @property
    def is_liability(self) -> bool:
        """Credit cards and loans are owed; every other type is owned."""
        return self in {AccountType.CREDIT_CARD, AccountType.LOAN}


class Account(CreatedAt, Base):
    """An account. Its balance is never stored: it is the opening balance plus its postings."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("owner_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(Text)  # case folding can lengthen a name
    type: Mapped[AccountType] = mapped_column(string_enum(AccountType, "account_type"))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    opening_date: Mapped[date]
    archived: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name
