"""The ledger's tables: the accounts and categories money moves between, the transactions that
move it (each a header and two or more postings), and the totals kept up to date beside them.

A posting moves `amount_minor` of `currency` into an account (`account_id` set) or into a
category (`category_id` set, or neither for an uncategorised line); a `conversion` posting
(neither) is one side of an exchange between currencies, as in a transfer from a USD account to
a EUR one, and is neither income nor spending. Within a transaction the postings of each
currency sum to zero. Only `finance.ledger.journal` writes transactions,
postings and totals, so the totals always equal the sums of the postings they stand for.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from finance.db import Base
from finance.enums import string_enum
from finance.names import name_key
from finance.timestamps import CreatedAt, UTCDateTime, utc_now


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
    """An account. Its balance is the opening balance plus its postings (kept in
    `AccountTotal`)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("owner_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(Text)  # case folding can lengthen a name
    type: Mapped[AccountType] = mapped_column(string_enum(AccountType, "account_type"))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    opening_date: Mapped[date | None]
    """None: no limit; the opening balance stands before the first transaction."""
    archived: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Added by "Load the demo data", and removed with it."""

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class CategoryKind(StrEnum):
    """Whether a category collects income or spending."""

    INCOME = "income"
    EXPENSE = "expense"


class Category(CreatedAt, Base):
    """A category, optionally under one parent of the same kind (one level of nesting)."""

    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("owner_id", "parent_id", "name_key", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[CategoryKind] = mapped_column(string_enum(CategoryKind, "category_kind"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(Text)  # case folding can lengthen a name
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Added by "Load the demo data", and removed with it."""

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class TransactionStatus(StrEnum):
    """How far a transaction has been checked against the bank."""

    UNCLEARED = "uncleared"
    CLEARED = "cleared"
    RECONCILED = "reconciled"

    @property
    def is_cleared(self) -> bool:
        """Cleared and reconciled transactions count towards the cleared balance."""
        return self is not TransactionStatus.UNCLEARED


class Transaction(CreatedAt, Base):
    """One event that moves money; its postings say where."""

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_owner_date_id", "owner_id", "date", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    date: Mapped[date]
    payee: Mapped[str] = mapped_column(String(200), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TransactionStatus] = mapped_column(
        string_enum(TransactionStatus, "transaction_status"), default=TransactionStatus.UNCLEARED
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    postings: Mapped[list["Posting"]] = relationship(
        back_populates="transaction",
        cascade="all, delete-orphan",
        order_by="Posting.id",
        lazy="selectin",
    )


class Posting(Base):
    """One leg of a transaction: an amount into an account or into a category."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("account_id IS NULL OR category_id IS NULL", name="account_or_category"),
        CheckConstraint(
            "NOT conversion OR (account_id IS NULL AND category_id IS NULL)",
            name="conversion_off_accounts",
        ),
        # Finds an account's transactions, and sums its balance from the index alone.
        Index("ix_postings_account_balance", "account_id", "transaction_id", "amount_minor"),
        Index("ix_postings_category_id_transaction_id", "category_id", "transaction_id"),
        # The conversion legs alone (few), which reports take off the uncategorised lines.
        # Each condition as each database is asked (SQLite: `conversion = 1`), or it goes unused.
        Index(
            "ix_postings_conversion",
            "transaction_id",
            sqlite_where=text("conversion = 1"),
            postgresql_where=text("conversion"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(String(200), default="")
    conversion: Mapped[bool] = mapped_column(default=False, server_default=false())
    """One side of an exchange between currencies: no account, no category, never counted as
    income, spending or an uncategorised line."""

    transaction: Mapped[Transaction] = relationship(back_populates="postings")


def category_line() -> ColumnElement[bool]:
    """A posting into a category, or an uncategorised line: off the accounts, and not one side
    of an exchange between currencies (which is never income or spending)."""
    return Posting.account_id.is_(None) & Posting.conversion.is_(False)


# The maintained totals. Each is a sum over postings, changed by the journal in the same
# database transaction as the postings; `finance db check` recomputes them. A month is stored
# as its first day. Uncategorised lines have no row of their own: every transaction balances,
# so they are what the accounts and categories of a month leave over (`LedgerRepository`).


class AccountTotal(Base):
    """An account's postings summed: all of them, the cleared and reconciled ones, and how many."""

    __tablename__ = "account_totals"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    posted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    cleared_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    postings: Mapped[int] = mapped_column(Integer, default=0)


class AccountMonth(Base):
    """An account's postings in one month, summed as in `AccountTotal`."""

    __tablename__ = "account_months"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    posted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    cleared_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    postings: Mapped[int] = mapped_column(Integer, default=0)


class CategoryMonth(Base):
    """A category's postings in one month and currency: what went into it, and how many lines.
    Positive is spending, negative income, as the postings are signed."""

    __tablename__ = "category_months"
    __table_args__ = (Index("ix_category_months_month", "month"),)

    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    posted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    postings: Mapped[int] = mapped_column(Integer, default=0)
