"""Every table, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from finance.auth.models import AccessToken, BrowserSession, LoginFailure
from finance.db import Base
from finance.idempotency.models import IdempotencyKey
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportJoin, ImportKey
from finance.ledger.models import (
    Account,
    AccountMonth,
    AccountTotal,
    Category,
    CategoryMonth,
    Posting,
    Transaction,
)
from finance.rules.models import CategoryRule
from finance.users.models import User

__all__ = [
    "AccessToken",
    "Account",
    "AccountMonth",
    "AccountTotal",
    "Base",
    "BrowserSession",
    "Category",
    "CategoryMonth",
    "CategoryRule",
    "CsvMappingRecord",
    "IdempotencyKey",
    "ImportBatch",
    "ImportJoin",
    "ImportKey",
    "LoginFailure",
    "Posting",
    "Transaction",
    "User",
]
