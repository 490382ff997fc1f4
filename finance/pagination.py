"""Keyset pagination cursors: the position after the last row of a page, opaque to clients.

A cursor names the (date, id) of the last row shown; the next page starts strictly after it.
Unlike OFFSET, this stays fast at any depth and never skips or repeats a row when rows are
added while someone pages.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import date

from finance.errors import InvalidInput
from finance.schemas import MAX_ROW_ID

LARGEST_PAGE = 10_000
"""The most rows a page size may name: above it, a 422; up to it, capped by the settings."""
CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,64}={0,2}$"
"""What a cursor looks like: URL-safe base64 of a day and a row id (padding optional)."""


@dataclass(frozen=True)
class Position:
    """Where a page ended, in newest-first order."""

    date: date
    id: int


def encode_cursor(position: Position) -> str:
    """An opaque, URL-safe token for the position."""
    raw = f"{position.date.isoformat()}|{position.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; `InvalidInput` for anything this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, _, row_id = raw.partition("|")
        position = Position(date.fromisoformat(day), int(row_id))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("cursor", "not a cursor from a previous page") from None
    if not 0 < position.id <= MAX_ROW_ID:
        raise InvalidInput("cursor", "not a cursor from a previous page")
    return position
