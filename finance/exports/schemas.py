"""The export's query string (a format and the transaction list's filters), and the backup
file's shape."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from finance.ledger.models import AccountType, CategoryKind, TransactionStatus
from finance.rules.models import RuleMatch
from finance.schemas import Day
from finance.transactions.schemas import TransactionFilters


class ExportFormat(StrEnum):
    """What file to write."""

    CSV = "csv"
    JSON = "json"


class ExportQuery(TransactionFilters):
    """A format and the filters of `GET /api/v1/transactions` (without its paging)."""

    format: ExportFormat = ExportFormat.CSV


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
    opening_date: Day | None
    archived: bool
    note: str
    created_at: dt.datetime
    demo: bool = False


class BackupCategory(BackupModel):
    ref: Ref
    parent: Ref | None
    kind: CategoryKind
    name: str
    created_at: dt.datetime
    demo: bool = False


class BackupRule(BackupModel):
    match: RuleMatch
    pattern: str
    category: Ref
    created_at: dt.datetime


class BackupLeftOutLine(BackupModel):
    line: int
    reason: str
    text: str = ""


class BackupBatch(BackupModel):
    ref: Ref
    account: Ref
    filename: str
    file_format: str
    added: int
    duplicates: int
    created_at: dt.datetime
    undone_at: dt.datetime | None
    left_out: list[BackupLeftOutLine] = Field(default_factory=list)


class BackupCsvMapping(BackupModel):
    account: Ref
    mapping: str


class BackupPosting(BackupModel):
    account: Ref | None
    category: Ref | None
    amount: str
    currency: str
    memo: str
    conversion: bool = False

    @model_validator(mode="after")
    def _account_or_category(self) -> Self:
        if self.account is not None and self.category is not None:
            raise ValueError("a posting names an account or a category, not both")
        if self.conversion and (self.account is not None or self.category is not None):
            raise ValueError("a conversion posting names neither an account nor a category")
        return self


class BackupImportKey(BackupModel):
    account: Ref
    key: str
    batch: Ref


class BackupTransaction(BackupModel):
    date: Day
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
