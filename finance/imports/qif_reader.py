"""Reading QIF files of the bank-style account types: Bank, CCard, Cash, Oth A and Oth L.

The file starts with one `!Type:` line; then come records, one field per line named by its first
character, each record ended by `^` (the last one may lack it): D date, T (or U) amount, P payee,
M memo, L category, N number (kept as the reference). A category in brackets, `[Savings]`, is a
transfer in Quicken; it is kept as category text like any other.

Split lines (S category, E memo, $ amount, % percent) are skipped for now: a split record becomes
one line with its total amount and its own L, if it has one. Other fields (C cleared, A address...)
are ignored too. A full export's other sections are skipped: `!Option:`/`!Clear:` switches,
`!Account` descriptions, and lists such as `!Type:Cat`, `!Type:Class`, `!Type:Memorized` and
`!Type:Security`. A file with the bank records of several accounts is refused, naming them: the
person exports the one they mean.

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
_MONTHS = 12
_SHOWN = 40

_Line = tuple[int, str]
"""A non-blank line of the file: its 1-based number and its text, stripped."""
_Section = tuple[_Line, list[_Line]]
"""A `!` header line and the lines under it."""


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
    _header, body = _bank_section(_sections(lines))
    day_first = _day_first(body)
    read: list[StatementLine] = []
    problems: list[LineProblem] = []
    for record in _records(body):
        try:
            read.append(_read_record(record, day_first=day_first))
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


def _sections(lines: list[_Line]) -> list[_Section]:
    """The file cut at its `!` lines: each header with the lines up to the next one."""
    number, first = lines[0]
    if not first.startswith("!"):
        raise FileRefused("not a QIF file (it does not start with a !Type: line)", line=number)
    sections: list[_Section] = []
    for line in lines:
        if line[1].startswith("!"):
            sections.append((line, []))
        else:
            sections[-1][1].append(line)
    return sections


def _bank_section(sections: list[_Section]) -> _Section:
    """The one section of bank records, past switches, account descriptions and lists
    (categories, classes, memorized transactions, securities...) that a full export holds."""
    banks: list[tuple[str, _Section]] = []
    account, others = "", []
    for section in sections:
        (number, header), body = section
        kind = header.lower()
        if kind == "!account":
            account = next((text[1:] for _, text in reversed(body) if text[:1] == "N"), "")
        elif kind.startswith("!type:") and _kind(header).lower() in _BANK_TYPES:
            banks.append((account, section))
        elif kind.startswith("!type:"):
            others.append(section)
        elif not kind.startswith(_SWITCHES):
            raise FileRefused(
                f"{_shown(header)} is not a !Type: line; only single-account exports are supported",
                line=number,
            )
    if len(banks) > 1:
        raise _several_accounts(banks)
    if banks:
        return banks[0][1]
    if others:
        (number, header), _body = others[0]
        raise FileRefused(
            f"QIF type {_shown(_kind(header))} is not supported "
            "(only Bank, CCard, Cash, Oth A, Oth L)",
            line=number,
        )
    raise FileRefused("no bank records (!Type:Bank, CCard, Cash, Oth A or Oth L) in the file")


def _kind(header: str) -> str:
    """The type a `!Type:` line names."""
    return header[len("!type:") :].strip()


def _several_accounts(banks: list[tuple[str, _Section]]) -> FileRefused:
    """Records of several accounts: which, so the person can export the one they want."""
    (number, header), _body = banks[1][1]
    names = [name for name, _section in banks if name]
    holds = f" (the file holds {', '.join(map(_shown, names))})" if names else ""
    return FileRefused(
        f"a second header {_shown(header)}: export one account at a time{holds}", line=number
    )


def _records(lines: list[_Line]) -> Iterator[list[_Line]]:
    """The records after the header, each without its closing `^`; empty records are skipped."""
    record: list[_Line] = []
    for number, line in lines:
        if line.startswith("^"):
            if record:
                yield record
            record = []
        else:
            record.append((number, line))
    if record:
        yield record


def _day_first(body: list[_Line]) -> bool:
    """Whether the file writes its slashed dates day first (`23/10/2013`, as programs outside
    the US do): some date's first number cannot be a month."""
    dates = (text[1:].replace(" ", "") for _number, text in body if text.startswith("D"))
    return any((match := _US_DATE.fullmatch(text)) and int(match[1]) > _MONTHS for text in dates)


def _read_record(record: list[_Line], *, day_first: bool) -> StatementLine:
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
        date=_date(fields["D"], day_first=day_first),
        amount=_amount(amount),
        payee=_value(fields, "P"),
        memo=_value(fields, "M"),
        category=_value(fields, "L"),
        reference=_value(fields, "N"),
    )


def _value(fields: dict[str, _Line], code: str) -> str:
    """The text of a field, or empty."""
    return fields[code][1] if code in fields else ""


def _date(field: _Line, *, day_first: bool) -> date:
    """A QIF date: month first with `/` or `-` (day first in a `day_first` file), `'` before a
    20xx year; ISO; day first with dots."""
    number, text = field
    compact = text.replace(" ", "")
    if match := _ISO_DATE.fullmatch(compact):
        year, month, day = match[1], match[2], match[3]
    elif match := _DOT_DATE.fullmatch(compact):
        day, month, year = match[1], match[2], _full_year(match[3], apostrophe=False)
    elif match := _US_DATE.fullmatch(compact):
        month, day, year = match[1], match[2], _full_year(match[4], apostrophe=match[3] == "'")
        if day_first:
            month, day = day, month
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
