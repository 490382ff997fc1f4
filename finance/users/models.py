"""The users table."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from finance.db import Base
from finance.timestamps import CreatedAt


class User(CreatedAt, Base):
    """A person whose money the ledger keeps."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
