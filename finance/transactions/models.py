"""The transactions and postings tables.

A transaction is a header (date, payee, memo, status) and two or more postings. A posting moves
`amount_minor` of `currency` into an account (`account_id` set) or into a category (`category_id`
set, or neither for an uncategorised line). Within a transaction the postings of each currency sum
to zero, which one query checks: `TransactionRepository.unbalanced_transaction_ids`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finance.db import Base
from finance.enums import string_enum
from finance.timestamps import CreatedAt, UTCDateTime, utc_now


class TransactionStatus(StrEnum):
    """How far a transaction has been checked against the bank."""

    UNCLEARED = "uncleared"
    CLEARED = "cleared"
    RECONCILED = "reconciled"


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
        # Finds an account's transactions, and sums its balance from the index alone.
        Index("ix_postings_account_balance", "account_id", "transaction_id", "amount_minor"),
        Index("ix_postings_category_id_transaction_id", "category_id", "transaction_id"),
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

    transaction: Mapped[Transaction] = relationship(back_populates="postings")
