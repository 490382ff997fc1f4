"""The category rules table."""

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from finance.db import Base
from finance.enums import string_enum
from finance.timestamps import CreatedAt


class RuleMatch(StrEnum):
    """How a rule's pattern is compared with a payee (always ignoring case)."""

    CONTAINS = "contains"
    REGEX = "regex"


class CategoryRule(CreatedAt, Base):
    """Payees that contain or match `pattern` get `category_id`; the oldest rule that
    matches wins."""

    __tablename__ = "category_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    match: Mapped[RuleMatch] = mapped_column(string_enum(RuleMatch, "rule_match"))
    pattern: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
