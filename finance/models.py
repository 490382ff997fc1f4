"""Every table, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from finance.accounts.models import Account
from finance.auth.models import AccessToken, BrowserSession, LoginFailure
from finance.categories.models import Category
from finance.db import Base
from finance.imports.models import CsvMappingRecord, ImportBatch, ImportKey
from finance.rules.models import CategoryRule
from finance.transactions.models import Posting, Transaction
from finance.users.models import User

__all__ = [
    "AccessToken",
    "Account",
    "Base",
    "BrowserSession",
    "Category",
    "CategoryRule",
    "CsvMappingRecord",
    "ImportBatch",
    "ImportKey",
    "LoginFailure",
    "Posting",
    "Transaction",
    "User",
]
