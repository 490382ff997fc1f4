"""Reading QIF files of the bank-style account types: Bank, CCard, Cash, Oth A and Oth L.

The file starts with one `!Type:` line; then come records, one field per line named by its first
character, each record ended by `^` (the last one may lack it): D date, T (or U) amount, P payee,
M memo, L category, N number (kept as the reference). A category in brackets, `[Savings]`, is a
transfer in Quicken; it is kept as category text like any other.

Split lines (S category, E memo, $ amount, % percent) are skipped for now: a split record becomes
one line with its total amount and its own L, if it has one. Other fields (C cleared, A address...)
are ignored too. One leading `!Account` block (the account's description) and `!Option:`/`!Clear:`
switches are skipped; a file with several accounts (a second header) is refused.

Dates are month first, as Quicken writes them: `10/01/2026`, `1/ 5'26` (`'` means 20xx), `01/05/26`
(a two-digit year after `/` is 20xx up to 69, 19xx from 70), plus ISO `2026-01-05` and day-first
`05.01.2026` (dots). The text is UTF-8, or cp1252 when it is not valid UTF-8.
"""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from finance.imports.statement import FileRefused, LineProblem, Statement, StatementLine

_BANK_TYPES = frozenset({"bank", "ccard", "cash", "oth a", "oth l"})
_SWITCHES = ("!option:", "!clear:")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_US_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})([/'-])(\d{4}|\d{2})")
_DOT_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_AMOUNT = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)")
_TWO_DIGIT_PIVOT = 70
_SHOWN = 40

_Line = tuple[int, str]
"""A non-blank line of the file: its 1-based number and its text, stripped."""


class _BadRecord(ValueError):
    """A record that cannot be read: where, and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_qif(data: bytes) -> Statement:
    """Read a bank-style QIF file; raise `FileRefused` if it cannot be read at all."""
    lines = _numbered_lines(_decode(data))
    if not lines:
        raise FileRefused("the file is empty")
    lines = _without_preamble(lines)
    _check_header(lines[0])
    read: list[StatementLine] = []
    problems: list[LineProblem] = []
    for record in _records(lines[1:]):
        try:
            read.append(_read_record(record))
        except _BadRecord as error:
            problems.append(LineProblem(error.line, error.message))
    if not read and not problems:
        raise FileRefused("the file holds no transactions")
    return Statement(read, problems)


def _decode(data: bytes) -> str:
    """The text of the file: UTF-8 (with or without BOM), else cp1252."""
    if b"\x00" in data:
        raise FileRefused("a binary file, not a QIF file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _numbered_lines(text: str) -> list[_Line]:
    """The non-blank lines, stripped, with their line numbers (CRLF, LF or CR line ends)."""
    numbered = enumerate(_LINE_BREAK.split(text), start=1)
    return [(number, line.strip()) for number, line in numbered if line.strip()]


def _without_preamble(lines: list[_Line]) -> list[_Line]:
    """The lines from the header on, past `!Option:`/`!Clear:` switches and one `!Account` block
    (the account's own description, which Quicken may write before its transactions)."""
    index = 0
    while index < len(lines) - 1 and lines[index][1].lower().startswith(_SWITCHES):
        index += 1
    if lines[index][1].lower() == "!account":
        ends = (i for i in range(index, len(lines)) if lines[i][1].startswith("^"))
        index = next(ends, len(lines) - 1) + 1
        if index == len(lines) or not lines[index][1].lower().startswith("!type:"):
            raise FileRefused(
                "expected the !Type: line after the account description (several accounts?): "
                "export one account at a time",
                line=lines[min(index, len(lines) - 1)][0],
            )
    return lines[index:]


def _check_header(first: _Line) -> None:
    """Refuse a file that does not start with a supported `!Type:` line."""
    number, line = first
    if not line.startswith("!"):
        raise FileRefused("not a QIF file (it does not start with a !Type: line)", line=number)
    if not line[1:].lower().startswith("type:"):
        raise FileRefused(
            f"{_shown(line)} is not a !Type: line; only single-account exports are supported",
            line=number,
        )
    kind = line[len("!type:") :].strip()
    if kind.lower() not in _BANK_TYPES:
        raise FileRefused(
            f"QIF type {_shown(kind)} is not supported (only Bank, CCard, Cash, Oth A, Oth L)",
            line=number,
        )


def _records(lines: list[_Line]) -> Iterator[list[_Line]]:
    """The records after the header, each without its closing `^`; empty records are skipped."""
    record: list[_Line] = []
    for number, line in lines:
        if line.startswith("!"):
            raise FileRefused(
                f"a second header {_shown(line)}: export one account at a time", line=number
            )
        if line.startswith("^"):
            if record:
                yield record
            record = []
        else:
            record.append((number, line))
    if record:
        yield record


def _read_record(record: list[_Line]) -> StatementLine:
    """One record as a statement line."""
    fields: dict[str, _Line] = {}
    for number, line in record:
        fields.setdefault(line[0], (number, line[1:].strip()))
    start = record[0][0]
    amount = fields.get("T") or fields.get("U")
    if "D" not in fields:
        raise _BadRecord(start, "the record has no date (D line)")
    if amount is None:
        raise _BadRecord(start, "the record has no amount (T line)")
    return StatementLine(
        line=start,
        date=_date(fields["D"]),
        amount=_amount(amount),
        payee=_value(fields, "P"),
        memo=_value(fields, "M"),
        category=_value(fields, "L"),
        reference=_value(fields, "N"),
    )


def _value(fields: dict[str, _Line], code: str) -> str:
    """The text of a field, or empty."""
    return fields[code][1] if code in fields else ""


def _date(field: _Line) -> date:
    """A QIF date: month first with `/` or `-`, `'` before a 20xx year; ISO; day first with dots."""
    number, text = field
    compact = text.replace(" ", "")
    if match := _ISO_DATE.fullmatch(compact):
        year, month, day = match[1], match[2], match[3]
    elif match := _DOT_DATE.fullmatch(compact):
        day, month, year = match[1], match[2], _full_year(match[3], apostrophe=False)
    elif match := _US_DATE.fullmatch(compact):
        month, day, year = match[1], match[2], _full_year(match[4], apostrophe=match[3] == "'")
    else:
        raise _BadRecord(number, f"{_shown(text)} is not a date (MM/DD/YYYY)")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _BadRecord(number, f"{_shown(text)} is not a date (MM/DD/YYYY)") from None


def _full_year(year: str, *, apostrophe: bool) -> str:
    """A four-digit year: `'26` is 2026; `/26` is 2026 and `/99` 1999."""
    if len(year) == 4:
        return year
    century = 20 if apostrophe or int(year) < _TWO_DIGIT_PIVOT else 19
    return f"{century}{year}"


def _amount(field: _Line) -> Decimal:
    """A QIF amount as an exact Decimal; commas may only group thousands."""
    number, text = field
    if not _AMOUNT.fullmatch(text):
        raise _BadRecord(number, f"{_shown(text)} is not an amount")
    return Decimal(text.replace(",", ""))


def _shown(text: str) -> str:
    """Text quoted for a message, cut short."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")
