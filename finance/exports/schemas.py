"""The export's query string (a format and the transaction list's filters), and the backup
file's shape."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from finance.accounts.models import AccountType
from finance.categories.models import CategoryKind
from finance.money import DecimalString
from finance.rules.models import RuleMatch
from finance.schemas import InputModel, RowId
from finance.transactions.models import TransactionStatus
from finance.transactions.repository import TransactionFilter


class ExportFormat(StrEnum):
    """What file to write."""

    CSV = "csv"
    JSON = "json"


class ExportQuery(InputModel):
    """A format and the filters of `GET /api/v1/transactions` (without its paging); a misspelt
    parameter is refused rather than exporting the whole ledger."""

    format: ExportFormat = ExportFormat.CSV
    account_id: RowId | None = Field(default=None, description="Only this account's lines.")
    category_id: RowId | None = Field(
        default=None, description="Only lines in this category or, for a parent, its children."
    )
    date_from: dt.date | None = Field(default=None, description="On or after this day.")
    date_to: dt.date | None = Field(default=None, description="On or before this day.")
    q: str | None = Field(
        default=None, max_length=200, description="Text in the payee or memo, any case."
    )
    amount_min: DecimalString | None = Field(
        default=None, description="An account amount (signed) at least this."
    )
    amount_max: DecimalString | None = Field(
        default=None, description="An account amount (signed) at most this."
    )
    status: TransactionStatus | None = None

    def to_filter(self) -> TransactionFilter:
        """The filters, for the repository."""
        return TransactionFilter(
            account_id=self.account_id,
            category_id=self.category_id,
            date_from=self.date_from,
            date_to=self.date_to,
            text=self.q,
            amount_min=self.amount_min,
            amount_max=self.amount_max,
            status=self.status,
        )


# The backup file of `finance export` and `finance import-backup` (see `finance.exports.backup`).

BACKUP_FORMAT = "finance-backup"
BACKUP_VERSION = 1


class BackupModel(BaseModel):
    """Part of a backup file: unknown fields refused, text kept exactly as written."""

    model_config = ConfigDict(extra="forbid")


Ref = Annotated[int, Field(ge=1)]
"""A number that names an account, category or import batch within the file."""


class BackupUser(BackupModel):
    email: str
    display_name: str
    created_at: dt.datetime


class BackupAccount(BackupModel):
    ref: Ref
    name: str
    type: AccountType
    currency: str
    opening_balance: str
    opening_date: dt.date
    archived: bool
    note: str
    created_at: dt.datetime


class BackupCategory(BackupModel):
    ref: Ref
    parent: Ref | None
    kind: CategoryKind
    name: str
    created_at: dt.datetime


class BackupRule(BackupModel):
    match: RuleMatch
    pattern: str
    category: Ref
    created_at: dt.datetime


class BackupBatch(BackupModel):
    ref: Ref
    account: Ref
    filename: str
    file_format: str
    added: int
    duplicates: int
    created_at: dt.datetime
    undone_at: dt.datetime | None


class BackupCsvMapping(BackupModel):
    account: Ref
    mapping: str


class BackupPosting(BackupModel):
    account: Ref | None
    category: Ref | None
    amount: str
    currency: str
    memo: str

    @model_validator(mode="after")
    def _account_or_category(self) -> Self:
        if self.account is not None and self.category is not None:
            raise ValueError("a posting names an account or a category, not both")
        return self


class BackupImportKey(BackupModel):
    account: Ref
    key: str
    batch: Ref


class BackupTransaction(BackupModel):
    date: dt.date
    payee: str
    memo: str
    status: TransactionStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    postings: list[BackupPosting] = Field(min_length=2)
    import_keys: list[BackupImportKey]


class Backup(BackupModel):
    """Everything one user has, as `finance export` writes it."""

    format: Literal["finance-backup"]
    version: Literal[1]
    user: BackupUser
    accounts: list[BackupAccount]
    categories: list[BackupCategory]
    category_rules: list[BackupRule]
    import_batches: list[BackupBatch]
    csv_mappings: list[BackupCsvMapping]
    transactions: list[BackupTransaction]
