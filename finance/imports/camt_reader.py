"""Reading ISO 20022 camt.053 bank-to-customer statements (.001.02 to .001.08, and later ones
that keep the same element names).

Choices made here, for whoever imports such a file:

- The XML goes through defusedxml with DTDs, entity declarations and external references all
  forbidden: a file with a DOCTYPE (and so any entity bomb) is refused at its start, unexpanded.
- Elements are matched by local name, so every namespace version (and any prefix) reads alike.
- Only booked entries become lines: `<Sts>BOOK</Sts>` (or `<Sts><Cd>BOOK</Cd></Sts>` from
  .001.09 on). Pending (PDNG), information (INFO) and future (FUTR) entries are skipped without a
  problem, as they have not moved money yet. An entry without any Sts counts as booked.
- A batch entry (one Ntry with several TxDtls) becomes one line with the entry's total, so the
  account's balance matches the bank's. Its payee is the counterparty all its transactions share,
  else AddtlNtryInf, else "batch of N transactions"; its memo joins their distinct remittance texts.
- The statement's currency is the account's (Acct/Ccy), else the first entry's. An entry in another
  currency is a `LineProblem`, not a line: its amount cannot be added to the others.
- A file with statements of several accounts (or currency sub-accounts) is refused, since its lines
  would all land in one account; several statements of one account (daily ones) read as one.
- The date is the booking date as the bank wrote it (the date part of a DtTm, its time zone
  ignored), else the value date.
- A reversal (RvslInd true) keeps the sign of its CdtDbtInd, the direction of the booking itself,
  but its payee is read from the other party: the related parties describe the original payment.
- The reference is the entry's AcctSvcrRef, else (for an entry with one transaction) that
  transaction's Refs/AcctSvcrRef, else its EndToEndId unless it is NOTPROVIDED, else empty.
"""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers.expat import ErrorString, XMLParserType

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from finance.imports.statement import FileRefused, LineProblem, Statement, StatementLine

ENTITIES_REFUSED = "the file declares XML entities, which are refused"
DTD_REFUSED = "the file declares a DTD (document type declaration), which is refused"
EXTERNAL_REFUSED = "the file refers to an external XML resource, which is refused"

_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MESSAGE_NAME = re.compile(r"\b([a-z]{4}\.[0-9]{3})\.[0-9]{3}\.[0-9]{2}")


class _EntryError(Exception):
    """An entry that cannot become a statement line; the text says why."""


class _EntryLineBuilder(TreeBuilder):
    """A tree builder that notes the line on which each Ntry element starts."""

    def __init__(self, skipped_lines: int) -> None:
        super().__init__()
        self.skipped_lines = skipped_lines
        self.expat: XMLParserType | None = None
        self.entry_lines: dict[Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str], /) -> Element:
        """Build the element; for an Ntry, note the parser's current line."""
        element = super().start(tag, attrs)
        if self.expat is not None and _local(tag) == "Ntry":
            self.entry_lines[element] = self.expat.CurrentLineNumber + self.skipped_lines
        return element


def read_camt053(data: bytes) -> Statement:
    """Read a camt.053 statement's booked entries; `FileRefused` if the file cannot be read."""
    root, entry_lines = _parse(data)
    statements = _statements(root)
    currency = _currency(statements)
    lines: list[StatementLine] = []
    problems: list[LineProblem] = []
    for entry in (entry for stmt in statements for entry in _children(stmt, "Ntry")):
        result = _read_entry(entry, entry_lines[entry], currency)
        if isinstance(result, StatementLine):
            lines.append(result)
        elif isinstance(result, LineProblem):
            problems.append(result)
    return Statement(lines=lines, problems=problems, currency=currency)


def _parse(data: bytes) -> tuple[Element, dict[Element, int]]:
    """The document's root, and the line of each Ntry, through a parser that refuses DTDs."""
    body = data.lstrip(b" \t\r\n")
    if not body:
        raise FileRefused("the file is empty")
    skipped_lines = data[: len(data) - len(body)].count(b"\n")
    builder = _EntryLineBuilder(skipped_lines)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    try:
        parser.feed(body)
        root = parser.close()
    except DTDForbidden as exc:
        raise FileRefused(ENTITIES_REFUSED if b"<!ENTITY" in body else DTD_REFUSED) from exc
    except EntitiesForbidden as exc:
        raise FileRefused(ENTITIES_REFUSED) from exc
    except ExternalReferenceForbidden as exc:
        raise FileRefused(EXTERNAL_REFUSED) from exc
    except ParseError as exc:
        line, column = exc.position
        message = f"not an XML file, or broken XML: {ErrorString(exc.code)} (column {column + 1})"
        raise FileRefused(message, line=line + skipped_lines) from exc
    return root, builder.entry_lines


def _statements(root: Element) -> list[Element]:
    """The Stmt elements of a camt.053 document, all of one account."""
    body = next(iter(root), None)
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    message = _MESSAGE_NAME.search(namespace)
    if (
        _local(root.tag) != "Document"
        or body is None
        or _local(body.tag) != "BkToCstmrStmt"
        or (message is not None and message[1] != "camt.053")
    ):
        raise FileRefused(f"not a camt.053 statement ({_describe(root, body, namespace)})")
    statements = _children(body, "Stmt")
    if not statements:
        raise FileRefused("the camt.053 file holds no statement (no Stmt element)")
    _check_one_account(statements)
    return statements


def _describe(root: Element, body: Element | None, namespace: str) -> str:
    """What the document is instead, for the refusal."""
    text = f"root element {_local(root.tag)!r}"
    if body is not None and _local(root.tag) == "Document":
        text += f" holding {_local(body.tag)!r}"
    return f"{text}, namespace {namespace!r}" if namespace else text


def _check_one_account(statements: list[Element]) -> None:
    """Refuse statements of several accounts: their lines cannot all go into one."""
    accounts = _distinct(_account(stmt) for stmt in statements)
    if len(accounts) > 1:
        listed = ", ".join(accounts)
        raise FileRefused(
            f"the file holds statements of {len(accounts)} accounts ({listed}); "
            "it can only be imported into one"
        )


def _account(statement: Element) -> str:
    """The statement's account as its id (IBAN or other) and currency."""
    account = _child(statement, "Acct")
    if account is None:
        return ""
    identity = _child(account, "Id")
    number = _clean("".join(identity.itertext())) if identity is not None else ""
    return _clean(f"{number} {_text(account, 'Ccy')}")


def _currency(statements: list[Element]) -> str | None:
    """The account's currency, else the first entry's; None if the file names none."""
    for stmt in statements:
        if code := _clean(_text(stmt, "Acct", "Ccy")):
            return code
    for stmt in statements:
        for entry in _children(stmt, "Ntry"):
            amount = _child(entry, "Amt")
            if amount is not None and (code := _clean(amount.get("Ccy", ""))):
                return code
    return None


def _read_entry(
    entry: Element, line: int, currency: str | None
) -> StatementLine | LineProblem | None:
    """One entry as a line, a problem, or None when it is not booked."""
    if _status(entry) not in ("", "BOOK"):
        return None
    details = _transactions(entry)
    try:
        amount = _amount(entry, currency)
        when = _entry_date(entry)
    except _EntryError as exc:
        return LineProblem(line=line, message=str(exc))
    return StatementLine(
        line=line,
        date=when,
        amount=amount,
        payee=_payee(entry, details),
        memo=_memo(details),
        reference=_reference(entry, details),
    )


def _status(entry: Element) -> str:
    """The entry's status code (BOOK, PDNG, ...), empty if it has none."""
    paths = (("Sts",), ("Sts", "Cd"), ("Sts", "Prtry"))
    return next((code for path in paths if (code := _clean(_text(entry, *path)))), "").upper()


def _transactions(entry: Element) -> list[Element]:
    """The entry's TxDtls, from all its NtryDtls."""
    return [tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")]


def _amount(entry: Element, currency: str | None) -> Decimal:
    """The entry's amount, exact, negative for a debit."""
    element = _child(entry, "Amt")
    if element is None:
        raise _EntryError("the entry has no amount (Amt)")
    text = (element.text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise _EntryError(f"the amount {text!r} is not a positive decimal number")
    code = _clean(element.get("Ccy", ""))
    if currency and code and code != currency:
        raise _EntryError(f"the amount is in {code}, but the statement is in {currency}")
    indicator = _clean(_text(entry, "CdtDbtInd"))
    if indicator == "CRDT":
        return Decimal(text)
    if indicator == "DBIT":
        return -Decimal(text)
    raise _EntryError(f"the credit/debit indicator {indicator!r} is neither CRDT nor DBIT")


def _entry_date(entry: Element) -> date:
    """The booking date, else the value date (Dt, or the date part of DtTm)."""
    for name in ("BookgDt", "ValDt"):
        text = _clean(_text(entry, name, "Dt")) or _clean(_text(entry, name, "DtTm"))
        if text:
            return _parse_date(name, text)
    raise _EntryError("the entry has neither a booking date (BookgDt) nor a value date (ValDt)")


def _parse_date(name: str, text: str) -> date:
    """An ISO date, or the date part of an ISO date-time, as written."""
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return date.fromisoformat(match[0])
    except ValueError:
        raise _EntryError(f"the date {text!r} in {name} is not a valid date") from None


def _payee(entry: Element, details: list[Element]) -> str:
    """The counterparty all transactions share, else AddtlNtryInf."""
    role = _counterparty_role(entry)
    names = _distinct(_party_name(tx, role) for tx in details)
    if len(names) == 1:
        return names[0]
    info = _clean(_text(entry, "AddtlNtryInf"))
    if info or not names:
        return info
    return f"batch of {len(details)} transactions"


def _counterparty_role(entry: Element) -> str:
    """Cdtr for money out, Dbtr for money in; the other way round for a reversal."""
    debit = _clean(_text(entry, "CdtDbtInd")) == "DBIT"
    reversal = _clean(_text(entry, "RvslInd")).lower() in ("true", "1")
    return "Cdtr" if debit != reversal else "Dbtr"


def _party_name(transaction: Element, role: str) -> str:
    """The name of the transaction's party in that role (Nm, or Pty/Nm from .001.08 on)."""
    for path in ((role, "Nm"), (role, "Pty", "Nm"), ("Ultmt" + role, "Nm")):
        if name := _clean(_text(transaction, "RltdPties", *path)):
            return name
    return ""


def _memo(details: list[Element]) -> str:
    """The transactions' distinct unstructured remittance texts."""
    return "; ".join(_distinct(_remittance(tx) for tx in details))


def _remittance(transaction: Element) -> str:
    """A transaction's RmtInf/Ustrd lines, joined by spaces."""
    info = _child(transaction, "RmtInf")
    if info is None:
        return ""
    return _clean(" ".join(line.text or "" for line in _children(info, "Ustrd")))


def _reference(entry: Element, details: list[Element]) -> str:
    """The bank's reference, else the single transaction's end-to-end id."""
    own = _clean(_text(entry, "AcctSvcrRef"))
    if own or len(details) != 1:
        return own
    if bank := _clean(_text(details[0], "Refs", "AcctSvcrRef")):
        return bank
    end_to_end = _clean(_text(details[0], "Refs", "EndToEndId"))
    return "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end


def _local(tag: str) -> str:
    """An element name without its namespace."""
    return tag.rpartition("}")[2]


def _children(parent: Element, name: str) -> list[Element]:
    """The parent's child elements of that local name."""
    return [child for child in parent if _local(child.tag) == name]


def _child(parent: Element, *path: str) -> Element | None:
    """The first element down that path of local names, or None."""
    element: Element | None = parent
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(parent: Element, *path: str) -> str:
    """The text of the element down that path, empty if there is none."""
    element = _child(parent, *path)
    return (element.text or "") if element is not None else ""


def _clean(text: str) -> str:
    """Text with its runs of white space made single spaces."""
    return " ".join(text.split())


def _distinct(texts: Iterable[str]) -> list[str]:
    """The non-empty texts, each once, in order."""
    return list(dict.fromkeys(text for text in texts if text))
