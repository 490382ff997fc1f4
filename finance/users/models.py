"""The users table."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from finance.db import Base
from finance.timestamps import CreatedAt


class User(CreatedAt, Base):
    """A person whose money the ledger keeps. `email` is stored lower-case; `password_hash` is
    an argon2id hash (none for a user who cannot log in until `finance users set-password`)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
