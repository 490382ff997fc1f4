"""Every table, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from finance.accounts.models import Account
from finance.categories.models import Category
from finance.db import Base
from finance.transactions.models import Posting, Transaction
from finance.users.models import User

__all__ = ["Account", "Base", "Category", "Posting", "Transaction", "User"]
