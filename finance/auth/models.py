"""Tables of authentication: browser sessions, access tokens and failed logins. Secrets are
never stored: a session or token row holds the SHA-256 of its random secret."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from finance.db import Base
from finance.enums import string_enum
from finance.names import name_key
from finance.timestamps import CreatedAt, UTCDateTime, utc_now


class TokenScope(StrEnum):
    """What an access token may do."""

    READ = "read"
    READ_WRITE = "read_write"


class BrowserSession(CreatedAt, Base):
    """A logged-in browser. It ends at logout, at a password change, after `session_idle_minutes`
    unused, and `session_lifetime_hours` after login whatever happens."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AccessToken(CreatedAt, Base):
    """A personal access token for scripts (`Authorization: Bearer ...`); its name is unique to
    its user, whatever the case."""

    __tablename__ = "access_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(Text)  # case folding can lengthen a name
    scope: Mapped[TokenScope] = mapped_column(string_enum(TokenScope, "token_scope"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class LoginFailure(Base):
    """One failed login, counted against an account (`email:...`) and an address (`ip:...`)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
