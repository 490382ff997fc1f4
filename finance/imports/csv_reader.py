"""Reading a bank's CSV export with a column mapping.

Three steps: `sniff` looks at the file's bytes and finds its encoding, delimiter and header row
(under any preamble the bank writes above it); `suggest_mapping` guesses which column is which
from the header names and the first rows; `read_csv` streams the file through a `CsvMapping`,
one `StatementLine` or `LineProblem` per data row, without holding the file in memory.

A mapping is plain JSON (`CsvMapping.model_dump_json`), so it can be remembered per account and
applied to the next file from the same bank. Text cells are kept as text, only stripped of the
spaces around them: a payee `=HYPERLINK(...)` stays exactly that (neutralising formulas is the
CSV export's job). Amounts become exact `Decimal`s, never floats.
"""

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import BinaryIO, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from finance.imports.statement import TEXT_LENGTH, FileRefused, LineProblem, StatementLine

Encoding = Literal["utf-8", "utf-8-sig", "cp1252"]
Delimiter = Literal[",", ";", "\t", "|"]
LineEnding = Literal["\r\n", "\n", "\r"]
DecimalSeparator = Literal[".", ","]
Row = list[str]
Record = tuple[int, Row]
"""A CSV record and the file line (1-based) it starts on."""

SNIFF_BYTES = 64 * 1024
"""How much of the file `sniff` parses to find the delimiter and the header."""
SAMPLE_ROW_COUNT = 20
"""How many data rows a layout keeps, for a preview and for guessing the mapping."""
_SNIFF_RECORDS = 200
_DECODE_CHUNK = 1024 * 1024
_DELIMITERS: tuple[Delimiter, ...] = (",", ";", "\t", "|")
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (.xlsx); export the statement as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel or Office file (.xls); export the statement as CSV",
    b"%PDF": "a PDF; export the statement as CSV",
    b"\xff\xfe": "UTF-16 text; save it as UTF-8 CSV",
    b"\xfe\xff": "UTF-16 text; save it as UTF-8 CSV",
}


class DateFormat(StrEnum):
    """The date layouts a CSV column may use; the value is the `strftime` pattern."""

    ISO = "%Y-%m-%d"
    MONTH_DAY_YEAR = "%m/%d/%Y"
    DAY_MONTH_YEAR_DOTS = "%d.%m.%Y"
    DAY_MONTH_YEAR_SLASHES = "%d/%m/%Y"

    @property
    def label(self) -> str:
        """The layout as people write it, for messages: `DD.MM.YYYY`."""
        return self.value.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")

    def parse(self, text: str) -> date | None:
        """The date `text` states in this layout (a time after it is ignored), or None."""
        match = _date_pattern(self).fullmatch(text.strip())
        if match is None:
            return None
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None


@cache
def _date_pattern(date_format: DateFormat) -> re.Pattern[str]:
    parts = {"%Y": r"(?P<y>[0-9]{4})", "%m": r"(?P<m>[0-9]{1,2})", "%d": r"(?P<d>[0-9]{1,2})"}
    pattern = re.escape(date_format.value)
    for directive, group in parts.items():
        pattern = pattern.replace(re.escape(directive), group)
    return re.compile(pattern + r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")


class CsvLayout(BaseModel):
    """How a CSV file is written: what `sniff` found, and what `read_csv` needs to read it."""

    model_config = ConfigDict(frozen=True)

    encoding: Encoding
    line_ending: LineEnding
    delimiter: Delimiter
    header_line: int = Field(ge=1, description="The header row's line in the file, 1-based.")
    header: tuple[str, ...] = Field(description="The column names, stripped of spaces.")
    sample_rows: tuple[tuple[str, ...], ...] = Field(
        description=f"Up to {SAMPLE_ROW_COUNT} data rows under the header, as the file has them."
    )


class CsvMapping(BaseModel):
    """Which column holds what, and how dates and amounts are written.

    Amounts come either from one signed `amount_column` (money in positive, unless
    `negate_amounts` says the file writes money out positive), or from a `debit_column` (money
    out) and a `credit_column` (money in). In those two the sign the file writes is ignored: a
    debit is always money out and a credit always money in, whether written `12.00` or `-12.00`.
    A row must fill one of them; a zero beside a filled one counts as empty.

    Validating with `context={"header": [...]}` also refuses a column the header lacks.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    date_column: str = Field(min_length=1)
    payee_column: str = Field(min_length=1)
    amount_column: str | None = Field(default=None, min_length=1)
    debit_column: str | None = Field(default=None, min_length=1)
    credit_column: str | None = Field(default=None, min_length=1)
    memo_column: str | None = Field(default=None, min_length=1)
    category_column: str | None = Field(default=None, min_length=1)
    balance_column: str | None = Field(default=None, min_length=1)
    reference_column: str | None = Field(default=None, min_length=1)
    date_format: DateFormat = DateFormat.ISO
    decimal_separator: DecimalSeparator = "."
    negate_amounts: bool = False

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        problems = self._shape_problems()
        header = info.context.get("header") if isinstance(info.context, dict) else None
        if header is not None:
            problems += column_problems(self, header)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def columns(self) -> dict[str, str]:
        """The columns this mapping uses, by role (`date`, `amount`, ...)."""
        named = {role.removesuffix("_column"): getattr(self, role) for role in _COLUMN_FIELDS}
        return {role: column for role, column in named.items() if column is not None}

    def _shape_problems(self) -> list[str]:
        problems = []
        debit, credit = self.debit_column, self.credit_column
        if self.amount_column is not None and (debit is not None or credit is not None):
            problems.append("name an amount column or debit and credit columns, not both")
        elif self.amount_column is None and (debit is None or credit is None):
            problems.append("name an amount column, or both a debit and a credit column")
        if self.negate_amounts and self.amount_column is None:
            problems.append("negate_amounts applies to an amount column only")
        counts = Counter(self.columns().values())
        problems += [f"column {column!r} is mapped twice" for column, n in counts.items() if n > 1]
        return problems


_COLUMN_FIELDS = tuple(name for name in CsvMapping.model_fields if name.endswith("_column"))


def column_problems(mapping: CsvMapping, header: Sequence[str]) -> list[str]:
    """Why `mapping` cannot read a file with this header: missing or ambiguous columns."""
    counts = Counter(header)
    problems = []
    for column in mapping.columns().values():
        if counts[column] == 0:
            names = ", ".join(repr(name) for name in header)
            problems.append(f"column {column!r} is not in the file's header ({names})")
        elif counts[column] > 1:
            problems.append(f"column {column!r} appears {counts[column]} times in the header")
    return problems


def check_mapping(mapping: CsvMapping, layout: CsvLayout) -> None:
    """Refuse (`FileRefused`) a mapping that names a column this file's header lacks."""
    problems = column_problems(mapping, layout.header)
    if problems:
        raise FileRefused("the column mapping does not fit this file: " + "; ".join(problems))


# Amounts


_GROUP_SEPARATORS = "',. \u00a0\u202f"
_LONGEST_AMOUNT = 50
"""Longer cells are not amounts (and would make the pattern below slow)."""
_SIGNED_AMOUNT = re.compile(
    r"(?P<open>\()?\s*(?P<sign>[-+\u2212])?\s*[$€£]?\s*(?P<sign_after>[-+\u2212])?\s*"
    r"(?P<number>[0-9.,'\s]*?)\s*[$€£]?\s*(?P<trailing_minus>-)?\s*(?P<close>\))?"
)


_PLAIN_AMOUNT = {
    ".": re.compile(r"-?[0-9]+(?:\.[0-9]+)?"),
    ",": re.compile(r"-?[0-9]+(?:,[0-9]+)?"),
}
"""The common case, read without the patterns below."""


@cache
def _number_pattern(decimal_separator: str) -> re.Pattern[str]:
    groups = re.escape(_GROUP_SEPARATORS.replace(decimal_separator, ""))
    return re.compile(
        rf"(?P<whole>[0-9]+|[0-9]{{1,3}}(?P<group>[{groups}])[0-9]{{3}}(?:(?P=group)[0-9]{{3}})*)?"
        rf"(?:{re.escape(decimal_separator)}(?P<fraction>[0-9]+))?"
    )


def parse_amount(text: str, decimal_separator: DecimalSeparator) -> Decimal | None:
    """The exact amount `text` states, or None if it is not one.

    Thousands may be grouped by `,` `.` `'` or spaces (whichever is not the decimal separator),
    in groups of three; money out may be written `-12.50`, `12.50-` or `(12.50)`, with or
    without a `$`, `€` or `£`. So with a decimal comma `1.234,56` is 1234.56, and `12.34` is
    refused rather than misread as 1234.
    """
    text = text.strip()
    if _PLAIN_AMOUNT[decimal_separator].fullmatch(text):
        return Decimal(text.replace(",", "."))
    signed = _SIGNED_AMOUNT.fullmatch(text) if len(text) <= _LONGEST_AMOUNT else None
    if signed is None or (signed["open"] is None) != (signed["close"] is None):
        return None
    signs = [signed["open"], signed["sign"], signed["sign_after"], signed["trailing_minus"]]
    if len(signs) - signs.count(None) > 1:
        return None
    number = _number_pattern(decimal_separator).fullmatch(signed["number"])
    if number is None or (number["whole"] is None and number["fraction"] is None):
        return None
    negative = bool({"-", "\u2212", "("}.intersection(signs))
    whole = "".join(filter(str.isdigit, number["whole"] or "0"))
    fraction = f".{number['fraction']}" if number["fraction"] else ""
    return Decimal(f"{'-' if negative else ''}{whole}{fraction}")


# Sniffing


def sniff(data: bytes) -> CsvLayout:
    """Find how the CSV file `data` is written: encoding, delimiter, header row, sample rows.

    Pass the whole file if you have it (its encoding is checked throughout, in chunks); only the
    first `SNIFF_BYTES` are parsed. Raises `FileRefused` for an empty or binary file, text that
    is neither UTF-8 nor Windows-1252, no recognisable header, or a header with no rows under it.
    """
    _refuse_non_text(data)
    encoding = _detect_encoding(data)
    complete = len(data) <= SNIFF_BYTES
    text = _decode_start(data, encoding, complete)
    _refuse_non_csv_text(text)
    delimiter = _choose_delimiter(text, complete)
    records = [
        (line, row)
        for line, row in _sample_records(text, delimiter, complete)
        if not _is_blank(row)
    ]
    header_at = _find_header(records)
    header_line, header = records[header_at]
    rows = [row for _, row in records[header_at + 1 :]]
    if not rows:
        raise FileRefused("the file has a header but no transactions under it", line=header_line)
    return CsvLayout(
        encoding=encoding,
        line_ending=_line_ending(text),
        delimiter=delimiter,
        header_line=header_line,
        header=tuple(name.strip() for name in header),
        sample_rows=tuple(tuple(row) for row in rows[:SAMPLE_ROW_COUNT]),
    )


def _refuse_non_text(data: bytes) -> None:
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRefused("the file is empty")
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise FileRefused(f"this is not a CSV file but {what}")
    if b"\x00" in data:
        raise FileRefused("the file holds NUL bytes: it is binary data, not CSV text")


def _detect_encoding(data: bytes) -> Encoding:
    if data.startswith(codecs.BOM_UTF8):
        if _decodes(data, "utf-8-sig"):
            return "utf-8-sig"
        raise FileRefused("the file starts with a UTF-8 byte order mark but is not UTF-8")
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "cp1252"):
        return "cp1252"
    raise FileRefused("the file is neither UTF-8 nor Windows-1252 text (is it binary?)")


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            decoder.decode(data[start : start + _DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_start(data: bytes, encoding: Encoding, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(data[:SNIFF_BYTES], final=complete)


_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_non_csv_text(text: str) -> None:
    if len(_CONTROL_CHARACTERS.findall(text)) > len(text) // 100:
        raise FileRefused("the file holds control characters: it is binary data, not CSV text")
    if text.lstrip().startswith("<"):
        raise FileRefused("the file is XML or HTML, not CSV (an OFX or camt file, or a web page?)")


def _line_ending(text: str) -> LineEnding:
    ends = re.search(r"\r\n|\n|\r", text)
    if ends is None or ends.group() == "\n":
        return "\n"
    return "\r\n" if ends.group() == "\r\n" else "\r"


def _records(lines: Iterable[str], delimiter: str) -> Iterator[Record]:
    """CSV records with the physical line each starts on (quoted newlines counted)."""
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    previous_end = 0
    for row in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        yield start, row


def _sample_records(text: str, delimiter: str, complete: bool) -> list[Record]:
    records: list[Record] = []
    try:
        for record in _records(io.StringIO(text, newline=""), delimiter):
            records.append(record)
            if len(records) > _SNIFF_RECORDS:
                break
    except csv.Error as error:
        raise FileRefused(f"the CSV cannot be read: {error}") from error
    return records if complete else records[:-1]


def _choose_delimiter(text: str, complete: bool) -> Delimiter:
    """The delimiter under which most rows share one width of two or more fields."""

    def consistency(delimiter: Delimiter) -> tuple[int, int]:
        records = _sample_records(text, delimiter, complete)
        widths = Counter(len(row) for _, row in records if not _is_blank(row))
        if not widths:
            return (0, 0)
        width, rows = max(widths.items(), key=lambda item: (item[1], item[0]))
        return (rows, width) if width > 1 else (0, 0)

    scores = {delimiter: consistency(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: scores[delimiter])
    if scores[best] == (0, 0):
        raise FileRefused(
            "no recognisable header: the rows are not split by comma, semicolon, tab or pipe"
        )
    return best


def _find_header(records: list[Record]) -> int:
    """The header: a row of names, with the most data rows of its width after it.

    Ties go to the row with more names, then to one right above data, then to the first.
    """
    candidates = [
        (
            _data_rows_of_width(records[index + 1 :], len(row)),
            len(names),
            _data_rows_of_width(records[index + 1 : index + 2], len(row)),
            -index,
        )
        for index, (_, row) in enumerate(records)
        if len(names := [cell for cell in row if cell.strip()]) >= 2
        and not any(_looks_like_value(cell) for cell in names)
    ]
    if not candidates:
        raise FileRefused("no recognisable header: no row of column names above the data")
    return -max(candidates)[3]


def _looks_like_value(cell: str) -> bool:
    """A date or an amount rather than a column name: digits and no letters."""
    return any(char.isdigit() for char in cell) and not any(char.isalpha() for char in cell)


def _data_rows_of_width(records: list[Record], width: int) -> int:
    return sum(1 for _, row in records if len(row) == width and any(map(_looks_like_value, row)))


def _is_blank(row: Row) -> bool:
    return not "".join(row).strip()


# Suggesting a mapping

_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "buchungstag",
        "buchungsdatum",
        "datum",
        "booking date",
        "posting date",
        "posted date",
        "value date",
        "wertstellung",
        "valuta",
        "valutadatum",
    ),
    "amount": ("amount", "betrag", "transaction amount", "umsatz"),
    "debit": (
        "debit",
        "debit amount",
        "soll",
        "withdrawal",
        "withdrawals",
        "money out",
        "paid out",
    ),
    "credit": ("credit", "credit amount", "haben", "deposit", "deposits", "money in", "paid in"),
    "payee": (
        "payee",
        "description",
        "auftraggeber begünstigter",
        "begünstigter zahlungspflichtiger",
        "beguenstigter zahlungspflichtiger",
        "name zahlungsbeteiligter",
        "zahlungsempfänger",
        "empfänger",
        "auftraggeber",
        "name",
        "merchant",
        "counterparty",
        "transaction details",
        "details",
        "narrative",
        "beschreibung",
    ),
    "memo": ("memo", "notes", "note", "verwendungszweck", "purpose", "description"),
    "category": ("category", "kategorie"),
    "balance": ("balance", "running balance", "saldo", "kontostand"),
    "reference": ("transaction id", "fitid", "transaktions id"),
}
_NAME_WORDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum"),
    "amount": ("amount", "betrag"),
    "balance": ("balance", "saldo"),
}


def suggest_mapping(layout: CsvLayout) -> CsvMapping | None:
    """Guess the mapping from the header names (English or German) and the sample rows.

    None when no date column, no amount (or debit and credit) column or no payee column can be
    told, or the dates fit none of the `DateFormat`s.
    """
    columns = _ColumnGuesser(layout.header)
    date_column = columns.take("date") or _column_of_dates(layout, columns.used)
    if date_column is None:
        return None
    columns.used.add(date_column)
    amount_column, debit_column, credit_column = _amount_columns(columns)
    payee_column = columns.take("payee")
    date_format = _date_format(layout, date_column)
    if payee_column is None or date_format is None or not (amount_column or debit_column):
        return None
    balance_column = columns.take("balance")
    value_columns = [amount_column, debit_column, credit_column, balance_column]
    decimal_separator = _decimal_separator(layout, [c for c in value_columns if c])
    return CsvMapping(
        date_column=date_column,
        payee_column=payee_column,
        amount_column=amount_column,
        debit_column=debit_column,
        credit_column=credit_column,
        memo_column=columns.take("memo"),
        category_column=columns.take("category"),
        balance_column=balance_column,
        reference_column=columns.take("reference"),
        date_format=date_format,
        decimal_separator=decimal_separator,
    )


def _normalised(name: str) -> str:
    """`Betrag (EUR)` -> `betrag`; `Auftraggeber / Begünstigter` -> `auftraggeber begünstigter`."""
    without_brackets = re.sub(r"\(.*?\)|\[.*?\]", " ", name.casefold())
    return " ".join(re.sub(r"[\W_]+", " ", without_brackets).split())


class _ColumnGuesser:
    """Picks header columns by name for each role, never the same column twice."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = header
        self.used: set[str] = set()

    def take(self, role: str, *, by_words: bool = True) -> str | None:
        column = self.find(role, by_words=by_words)
        if column is not None:
            self.used.add(column)
        return column

    def find(self, role: str, *, by_words: bool = True) -> str | None:
        free = {name: f" {_normalised(name)} " for name in self.header if name not in self.used}
        for synonym in _NAMES[role]:
            for name, normalised in free.items():
                if normalised == f" {synonym} ":
                    return name
        words = _NAME_WORDS.get(role, ()) if by_words else ()
        for word in words:
            for name, normalised in free.items():
                if f" {word} " in normalised:
                    return name
        return None


def _amount_columns(columns: _ColumnGuesser) -> tuple[str | None, str | None, str | None]:
    amount = columns.find("amount", by_words=False)
    debit = columns.find("debit", by_words=False)
    credit = columns.find("credit", by_words=False)
    if amount is None and debit is not None and credit is not None:
        columns.used.update((debit, credit))
        return None, debit, credit
    return columns.take("amount"), None, None


def _column_values(layout: CsvLayout, column: str) -> list[str]:
    index = layout.header.index(column)
    return [row[index] for row in layout.sample_rows if index < len(row) and row[index].strip()]


def _column_of_dates(layout: CsvLayout, used: set[str]) -> str | None:
    """The first column whose sample cells are all dates in one format."""
    for column in layout.header:
        if column and column not in used and _date_format(layout, column, share=1) is not None:
            return column
    return None


def _date_format(layout: CsvLayout, column: str, share: float = 0.5) -> DateFormat | None:
    """The format most sample dates fit, if it fits at least `share` of them.

    When both day-first and month-first fit, the part that varies more is taken for the day; if
    neither does, a semicolon-separated (continental) file is taken as day-first.
    """
    values = _column_values(layout, column)
    fits = {form: sum(form.parse(value) is not None for value in values) for form in DateFormat}
    most = max(fits.values())
    if not values or most < len(values) * share or most == 0:
        return None
    fitting = [date_format for date_format, count in fits.items() if count == most]
    if len(fitting) == 1:
        return fitting[0]
    values = [value for value in values if DateFormat.MONTH_DAY_YEAR.parse(value)]
    first_parts = {re.split(r"\D", value.strip())[0] for value in values}
    second_parts = {re.split(r"\D", value.strip())[1] for value in values}
    if len(first_parts) != len(second_parts):
        day_first = len(first_parts) > len(second_parts)
    else:
        day_first = layout.delimiter == ";"
    return DateFormat.DAY_MONTH_YEAR_SLASHES if day_first else DateFormat.MONTH_DAY_YEAR


def _decimal_separator(layout: CsvLayout, columns: list[str]) -> DecimalSeparator:
    """The separator every sample amount parses with; a semicolon file breaks a tie to comma."""
    values = [value for column in columns for value in _column_values(layout, column)]
    separators: tuple[DecimalSeparator, DecimalSeparator] = (".", ",")
    fits = {
        sep: sum(parse_amount(value, sep) is not None for value in values) for sep in separators
    }
    if fits["."] == fits[","]:
        return "," if layout.delimiter == ";" else "."
    return "." if fits["."] > fits[","] else ","


# Reading


class _CellError(Exception):
    """Why a row cannot be read; becomes a `LineProblem`."""


@dataclass(frozen=True)
class _RowReader:
    """Turns rows into statement lines, with the mapping's columns resolved to indexes."""

    mapping: CsvMapping
    header: tuple[str, ...]
    index: dict[str, int]

    @classmethod
    def for_mapping(cls, mapping: CsvMapping, header: tuple[str, ...]) -> Self:
        columns = mapping.columns()
        return cls(mapping, header, {role: header.index(name) for role, name in columns.items()})

    def read(self, line: int, row: Row) -> StatementLine | LineProblem:
        """The row as a statement line, or the problem with it."""
        try:
            return self._statement_line(line, self._fitted(row))
        except _CellError as error:
            return LineProblem(line=line, message=str(error))

    def _fitted(self, row: Row) -> Row:
        width = len(self.header)
        if len(row) == width or (len(row) > width and not "".join(row[width:]).strip()):
            return row
        names = ", ".join(self.header)
        raise _CellError(f"{len(row)} fields where the header has {width} ({names})")

    def _statement_line(self, line: int, row: Row) -> StatementLine:
        balance = self._text(row, "balance")
        return StatementLine(
            line=line,
            date=self._date(row),
            amount=self._amount(row),
            payee=self._text(row, "payee"),
            memo=self._text(row, "memo"),
            category=self._text(row, "category"),
            reference=self._text(row, "reference"),
            balance=self._decimal(row, "balance") if balance else None,
        )

    def _text(self, row: Row, role: str) -> str:
        index = self.index.get(role)
        return "" if index is None else row[index].strip()

    def _date(self, row: Row) -> date:
        text = self._required(row, "date")
        parsed = self.mapping.date_format.parse(text)
        if parsed is None:
            label = self.mapping.date_format.label
            raise _CellError(f"{self._cell(row, 'date')} is not a date in {label}")
        return parsed

    def _amount(self, row: Row) -> Decimal:
        if "amount" in self.index:
            amount = self._decimal(row, "amount", required=True)
            return amount.copy_negate() if self.mapping.negate_amounts else amount
        debit = self._decimal(row, "debit") if self._text(row, "debit") else None
        credit = self._decimal(row, "credit") if self._text(row, "credit") else None
        if debit is None and credit is None:
            raise _CellError(f"neither {self._name('debit')} nor {self._name('credit')} is filled")
        if debit and credit:
            raise _CellError(
                f"both {self._cell(row, 'debit')} and {self._cell(row, 'credit')} are filled;"
                " a row is money out or money in, not both"
            )
        if debit:
            return debit.copy_abs().copy_negate()
        return (credit or Decimal(0)).copy_abs()

    def _decimal(self, row: Row, role: str, *, required: bool = False) -> Decimal:
        text = self._required(row, role) if required else self._text(row, role)
        amount = parse_amount(text, self.mapping.decimal_separator)
        if amount is None:
            point = "point" if self.mapping.decimal_separator == "." else "comma"
            raise _CellError(f"{self._cell(row, role)} is not an amount with a decimal {point}")
        return amount

    def _required(self, row: Row, role: str) -> str:
        text = self._text(row, role)
        if not text:
            raise _CellError(f"{self._name(role)} is empty")
        return text

    def _name(self, role: str) -> str:
        return self.header[self.index[role]]

    def _cell(self, row: Row, role: str) -> str:
        """`Debit '12.00'`: the column's name and the cell, for messages."""
        return f"{self._name(role)} {_shown(self._text(row, role))}"


def _shown(value: str, limit: int = 40) -> str:
    """A cell quoted for a message, cut short if long."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def read_csv(
    stream: BinaryIO, mapping: CsvMapping, layout: CsvLayout
) -> Iterator[StatementLine | LineProblem]:
    """Stream the rows under the header as statement lines, or problems naming line and cell.

    A problem's message names the column and the cell (`Date '2026-13-45' is not a date in
    YYYY-MM-DD`); its `line` says where, so `f"line {p.line}: {p.message}"` reads in full.

    `layout` comes from `sniff` on the same file. Blank rows are skipped; line numbers are the
    file's own. Raises `FileRefused` at once if the mapping names a column the header lacks, and
    while reading if the header is not where the layout says or the text stops being readable.
    The stream is read from where it is and left open.
    """
    check_mapping(mapping, layout)
    return _read_rows(stream, _RowReader.for_mapping(mapping, layout.header), layout)


_UNDECODABLE = re.compile("[\udc80-\udcff]")
"""What `surrogateescape` decodes a byte the encoding has no character for into."""


def _read_rows(
    stream: BinaryIO, row_reader: _RowReader, layout: CsvLayout
) -> Iterator[StatementLine | LineProblem]:
    text = io.TextIOWrapper(stream, encoding=layout.encoding, errors="surrogateescape", newline="")
    line = 0
    try:
        records = _records(text, layout.delimiter)
        line = _skip_header(records, layout)
        for line, row in records:
            cells = "".join(row)
            if _UNDECODABLE.search(cells):
                raise FileRefused(
                    f"this line is not {layout.encoding} text like the start of the file",
                    line=line,
                )
            if cells.strip():
                read = row_reader.read(line, row)
                yield _with_text(read, row, layout) if isinstance(read, LineProblem) else read
    except csv.Error as error:
        raise FileRefused(f"the CSV cannot be read: {error}", line=line + 1) from error
    finally:
        text.detach()


def _with_text(problem: LineProblem, row: Row, layout: CsvLayout) -> LineProblem:
    """The problem with the row as the file wrote it (near enough: its cells rejoined)."""
    return replace(problem, text=layout.delimiter.join(row)[:TEXT_LENGTH])


def _skip_header(records: Iterator[Record], layout: CsvLayout) -> int:
    """Read up to the header row, check it is the sniffed one, and return its line."""
    for line, row in records:
        if line < layout.header_line:
            continue
        if line == layout.header_line and tuple(name.strip() for name in row) == layout.header:
            return line
        break
    raise FileRefused("this is not the header the file was sniffed with", line=layout.header_line)
