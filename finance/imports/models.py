"""Tables of importing: batches (one per confirmed file), the keys that recognise a transaction
seen before, and the CSV column mapping remembered per account."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finance.db import Base
from finance.timestamps import CreatedAt, UTCDateTime


class ImportBatch(CreatedAt, Base):
    """One confirmed file: what it added, and whether it has been undone."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(10))
    added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    left_out: Mapped[list["LeftOutLine"]] = relationship(
        lazy="selectin", order_by="LeftOutLine.line", passive_deletes=True
    )


class LeftOutLine(Base):
    """A line of a confirmed file that was not imported because it could not be read."""

    __tablename__ = "import_left_out_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")


class ImportKey(Base):
    """A key that recognises an imported transaction in its account: the bank's own id, or a
    fingerprint. A transaction deleted (or a batch undone) takes its keys with it."""

    __tablename__ = "import_keys"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )


class CsvMappingRecord(Base):
    """The CSV column mapping last used for an account, as JSON."""

    __tablename__ = "csv_mappings"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    mapping: Mapped[str] = mapped_column(Text)


class ImportJoin(Base):
    """A line of a batch that became the other side of a transaction already in another
    account: the transaction's category leg (`posting_id`) was moved into the batch's account.
    Undoing the batch moves it back to `category_id` (None: uncategorised)."""

    __tablename__ = "import_joins"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    posting_id: Mapped[int]
    """No foreign key: a leg edited away since leaves the join to say the transaction is not
    the batch's to delete."""
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
