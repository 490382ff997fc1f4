"""The table of idempotency keys: one row per owner and key, written in the same database
transaction as the object its request created, and the answer stored on it right after."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finance.db import Base
from finance.timestamps import UTCDateTime

KEY_LENGTH = 255
FINGERPRINT_LENGTH = 64


class IdempotencyKey(Base):
    """A key a script sent with a creating request: what the request was (`fingerprint`, the
    SHA-256 of its method, path and body) and, once stored, its answer. A row without an answer
    is a request still in flight, or one whose write committed but whose answer was lost."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(FINGERPRINT_LENGTH))
    status_code: Mapped[int | None] = mapped_column(default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    location: Mapped[str | None] = mapped_column(String(2048), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def answered(self) -> bool:
        """Whether the answer to the first request is stored."""
        return self.status_code is not None
