"""What every reader of a bank file produces: statement lines, or the reason a line or the whole
file cannot be read. Readers know nothing of the ledger; amounts stay exact `Decimal`s as the
file wrote them until the importer turns them into the account's minor units."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class StatementLine:
    """One transaction as the bank file states it."""

    line: int
    """Where it starts in the file (1-based), for messages."""
    date: date
    amount: Decimal
    """Signed: money into the account is positive, money out negative."""
    payee: str
    memo: str = ""
    category: str = ""
    """The file's own category name (QIF `L`, a CSV column), if it has one."""
    reference: str = ""
    """The bank's id for the transaction (OFX FITID, camt reference); empty if it gives none."""
    balance: Decimal | None = None
    """The account's balance after this line, when the file states it."""
    currency: str = ""
    """The line's own currency, when it names one and the file as a whole does not."""


TEXT_LENGTH = 500
"""How much of an unreadable line's own text is kept to show it."""


@dataclass(frozen=True)
class LineProblem:
    """A line that could not be read, and why."""

    line: int
    message: str
    text: str = field(default="", compare=False)
    """The line as the file wrote it, where the reader has it (not part of what is wrong)."""


@dataclass(frozen=True)
class Statement:
    """A whole file read: its lines, its unreadable lines, and its currency if it names one."""

    lines: list[StatementLine]
    problems: list[LineProblem]
    currency: str | None = None


class FileRefused(Exception):
    """The file cannot be read at all (empty, not this format, broken, hostile XML)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{message}")
        self.message = message
        self.line = line
