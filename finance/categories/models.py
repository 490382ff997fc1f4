"""The categories table."""

from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from finance.db import Base
from finance.enums import string_enum
from finance.names import name_key
from finance.timestamps import CreatedAt


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

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name
