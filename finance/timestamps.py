"""Timestamp columns shared by the domain models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class CreatedAt:
    """Mixin: when the row was created."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
