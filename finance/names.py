"""How names compare: "Épargne", "épargne" and "ÉPARGNE" are one name."""

import unicodedata


def name_key(name: str) -> str:
    """The form in which two names are the same name: Unicode-normalised and case-folded.

    Stored beside each account and category name, so the database itself keeps names unique
    whatever the case (SQL's `lower()` folds only A to Z on SQLite)."""
    return unicodedata.normalize("NFKC", name).casefold()
