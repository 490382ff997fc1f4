"""Reading OFX and QFX files: OFX 1.x (SGML) and 2.x (XML), bank and credit-card statements.

ofxtools' parser (`ofxtools.Parser.TreeBuilder`, the parser behind `OFXTree`) turns the markup of
either version into an element tree. The header is read here, leniently, only to decide how to
decode the bytes (`CHARSET:1252` means cp1252; OFX 2 declares its encoding in `<?xml ?>`): ofxtools'
own header check refuses the short or unusual headers real banks write. The transactions are read
from the tree here too, rather than through ofxtools' validating models, which refuse a whole file
over one over-long name, unknown tag or out-of-order element; a transaction this module cannot read
becomes a `LineProblem` and the others are still read.

ofxtools parses with regular expressions and never expands XML entities, but a file that declares
a DTD or entities is refused before parsing all the same: OFX never needs one, and it is the shape
of an entity-expansion attack.
"""

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from ofxtools.Parser import TreeBuilder

from finance.imports.statement import FileRefused, LineProblem, Statement, StatementLine

_BOM = "\ufeff"
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\s*<\?xml\b([^>]*)\?>")
_XML_ENCODING = re.compile(r"""\bencoding\s*=\s*["']([\w.:-]+)["']""")
_SGML_HEADER_FIELD = re.compile(r"^\s*(\w+)\s*:\s*(\S*)", re.MULTILINE)
_CHARSETS = {
    "1252": "cp1252",
    "WINDOWS-1252": "cp1252",
    "CP1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "8859-1": "latin-1",
    "UTF-8": "utf-8",
}
_HEADER_BYTES = 2048
_TRANSACTION_TAG = re.compile(r"<(/?)STMTTRN>")
_PARSER_POSITION = re.compile(r"position=\[(\d+):")
_CDATA_START = "<![CDATA["
_CDATA_END = "]]>"
_BANK_STATEMENTS = frozenset({"STMTRS", "CCSTMTRS"})
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")


class _BadTransaction(ValueError):
    """One transaction that cannot be read; the message says why."""


def read_ofx(data: bytes) -> Statement:
    """Read an OFX/QFX bank or credit-card statement; raise `FileRefused` if it cannot be read."""
    if not data.strip():
        raise FileRefused("the file is empty")
    text = _decode(data)
    if _DTD.search(text):
        raise FileRefused(
            "the file declares a DTD or XML entities, which OFX never uses "
            "(possible entity-expansion attack)"
        )
    start, end = _body_span(text)
    starts = _transaction_starts(text, start, end)
    if end < 0:
        raise FileRefused("the file ends before its closing </OFX> tag (truncated?)")
    root = _parse(text, start, end)
    return _read_statement(_only_statement(root), _lines_by_element(root, starts))


def _decode(data: bytes) -> str:
    """Decode as the header declares, else UTF-8, else cp1252 (which reads any byte)."""
    for codec in (_declared_codec(data), "utf-8"):
        if codec is None:
            continue
        try:
            return data.decode(codec).removeprefix(_BOM)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _declared_codec(data: bytes) -> str | None:
    """The codec the OFX 2 XML declaration or the OFX 1 SGML header names, if any."""
    head = data[:_HEADER_BYTES].decode("latin-1").removeprefix("\xef\xbb\xbf")
    declaration = _XML_DECLARATION.match(head)
    if declaration:
        encoding = _XML_ENCODING.search(declaration.group(1))
        return encoding.group(1) if encoding else "utf-8"
    before_markup = head.split("<", 1)[0]
    fields = {k.upper(): v.upper() for k, v in _SGML_HEADER_FIELD.findall(before_markup)}
    if fields.get("ENCODING") in {"UTF-8", "UNICODE"}:
        return "utf-8"
    return _CHARSETS.get(fields.get("CHARSET", ""))


def _body_span(text: str) -> tuple[int, int]:
    """Where `<OFX>` starts and `</OFX>` ends; the end is -1 if the file never closes it."""
    start = text.find("<OFX>")
    if start < 0:
        raise FileRefused("not an OFX file (it has no <OFX> element)")
    close = text.rfind("</OFX>")
    return start, close + len("</OFX>") if close > start else -1


def _transaction_starts(text: str, start: int, end: int) -> list[int]:
    """The line of each `<STMTTRN>`, after checking each transaction is closed before the next."""
    tags = list(_TRANSACTION_TAG.finditer(text, start, end if end >= 0 else len(text)))
    numbers = _line_numbers(text, [tag.start() for tag in tags])
    starts: list[int] = []
    open_at: int | None = None
    for tag, line in zip(tags, numbers, strict=True):
        closing = bool(tag.group(1))
        if closing and open_at is None:
            raise FileRefused("</STMTTRN> without an opening <STMTTRN>", line=line)
        if not closing and open_at is not None:
            raise FileRefused("this transaction has no closing </STMTTRN>", line=open_at)
        open_at = None if closing else line
        if not closing:
            starts.append(line)
    if open_at is not None:
        if end < 0:
            raise FileRefused(
                "the file ends in the middle of a transaction (truncated?)", line=open_at
            )
        raise FileRefused("this transaction has no closing </STMTTRN>", line=open_at)
    return starts


def _line_numbers(text: str, positions: list[int]) -> list[int]:
    """The 1-based line of each position (ascending); lines end in CRLF, LF or a lone CR."""
    newline = "\n" if "\n" in text else "\r"
    numbers: list[int] = []
    line, previous = 1, 0
    for position in positions:
        line += text.count(newline, previous, position)
        previous = position
        numbers.append(line)
    return numbers


def _parse(text: str, start: int, end: int) -> ET.Element:
    """The element tree of the OFX body, through ofxtools' SGML/XML parser."""
    markup = _without_cdata(text[start:end])
    builder = TreeBuilder()
    try:
        builder.feed(markup)
        return builder.close()
    except Exception as error:  # ofxtools and ElementTree raise assorted errors on bad markup
        position = _PARSER_POSITION.search(str(error))
        line = None
        if position:
            offset = _line_numbers(markup, [int(position.group(1))])[0] - 1
            line = _line_numbers(text, [start])[0] + offset
        raise FileRefused("broken OFX markup (stray text or unbalanced tags)", line=line) from error


def _without_cdata(markup: str) -> str:
    """CDATA sections turned into escaped text, which ofxtools' pattern for CDATA (greedy, so
    slow on long lines and wrong with two sections on one line) never has to match."""
    parts: list[str] = []
    position = 0
    while (opening := markup.find(_CDATA_START, position)) >= 0:
        closing = markup.find(_CDATA_END, opening)
        if closing < 0:
            raise FileRefused("a CDATA section is never closed")
        content = markup[opening + len(_CDATA_START) : closing]
        parts += [markup[position:opening], html.escape(content, quote=False)]
        position = closing + len(_CDATA_END)
    return "".join([*parts, markup[position:]])


def _only_statement(root: ET.Element) -> ET.Element:
    """The file's one bank or credit-card statement."""
    statements = [element for element in root.iter() if element.tag in _BANK_STATEMENTS]
    if len(statements) == 1:
        return statements[0]
    if statements:
        raise FileRefused(
            f"the file holds {len(statements)} statements (several accounts?): "
            "export one account at a time"
        )
    if root.find(".//INVSTMTRS") is not None:
        raise FileRefused("investment statements are not supported")
    raise FileRefused("the OFX file holds no bank or credit-card statement")


def _lines_by_element(root: ET.Element, starts: list[int]) -> dict[ET.Element, int]:
    """Pair each STMTTRN element with the line its tag starts on (both are in file order)."""
    elements = list(root.iter("STMTTRN"))
    if len(elements) != len(starts):
        raise FileRefused("broken OFX markup (transactions cannot be located in the file)")
    return dict(zip(elements, starts, strict=True))


def _read_statement(statement: ET.Element, lines: dict[ET.Element, int]) -> Statement:
    """Every transaction of the statement, or the reason it cannot be read."""
    currency = _text(statement, "CURDEF").upper()
    currency_or_none = currency if _CURRENCY.fullmatch(currency) else None
    read: list[StatementLine] = []
    problems: list[LineProblem] = []
    for element in statement.iter("STMTTRN"):
        try:
            read.append(_read_transaction(element, lines[element], currency_or_none))
        except _BadTransaction as error:
            problems.append(LineProblem(lines[element], str(error)))
    if not read and not problems:
        raise FileRefused("the statement holds no transactions")
    return Statement(read, problems, currency_or_none)


def _read_transaction(element: ET.Element, line: int, currency: str | None) -> StatementLine:
    """One STMTTRN as a statement line."""
    own_currency = _text(element, "CURRENCY/CURSYM") or _text(element, "ORIGCURRENCY/CURSYM")
    own_currency = own_currency.upper()
    if own_currency and currency and own_currency != currency:
        raise _BadTransaction(
            f"the amount is in {own_currency}, not in the statement's currency ({currency})"
        )
    payee = _text(element, "NAME") or _text(element, "PAYEE/NAME") or _text(element, "EXTDNAME")
    return StatementLine(
        line=line,
        date=_date(_text(element, "DTPOSTED")),
        amount=_amount(_text(element, "TRNAMT")),
        payee=payee,
        memo=_text(element, "MEMO"),
        reference=_text(element, "FITID"),
        currency="" if currency else own_currency,
    )


def _text(element: ET.Element, path: str) -> str:
    """The unescaped, whitespace-normalised text at `path`; empty if there is none."""
    found = element.find(path)
    if found is None or not found.text:
        return ""
    return " ".join(html.unescape(found.text).split())


def _date(text: str) -> date:
    """The day of an OFX date-time, as written: a time zone never moves it to another day."""
    if not text:
        raise _BadTransaction("the transaction has no date (DTPOSTED)")
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _BadTransaction(f"DTPOSTED {text[:40]!r} is not a date (YYYYMMDD…)") from None


def _amount(text: str) -> Decimal:
    """TRNAMT as an exact Decimal, sign as written; a decimal comma is accepted."""
    if not text:
        raise _BadTransaction("the transaction has no amount (TRNAMT)")
    if not _AMOUNT.fullmatch(text):
        raise _BadTransaction(f"TRNAMT {text[:40]!r} is not an amount")
    return Decimal(text.replace(",", "."))
