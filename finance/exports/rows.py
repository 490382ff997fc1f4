"""A transaction as spreadsheet rows, and those rows as CSV or JSON text.

One row per line a person would read: a simple transaction is one row, a split one row per
category line, a transfer one row per account. Amounts are signed from the account's point of
view, as exact decimal strings.
"""

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from finance.ledger.models import Posting, Transaction
from finance.money import format_minor

FIELDS = (
    "date",
    "account",
    "payee",
    "memo",
    "category",
    "amount",
    "currency",
    "status",
    "transaction_id",
)
TEXT_FIELDS = frozenset({"account", "payee", "memo", "category"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")."""


@dataclass(frozen=True)
class Names:
    """The owner's accounts and categories by id, as a row shows them."""

    accounts: Mapping[int, str]
    categories: Mapping[int, str]


@dataclass(frozen=True)
class Scope:
    """Which lines of a matching transaction to show: those of one account, of some
    categories (None: all)."""

    account_id: int | None = None
    category_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class ExportRow:
    """One line of the export."""

    date: str
    account: str
    payee: str
    memo: str
    category: str
    amount: str
    currency: str
    status: str
    transaction_id: int


def rows_of(transaction: Transaction, names: Names, scope: Scope) -> list[ExportRow]:
    """The rows of one transaction, limited to the lines `scope` asks for. A transfer between
    currencies is its two account sides, each in its own currency: its conversion legs are no
    category line."""
    legs = [p for p in transaction.postings if p.account_id is not None]
    lines = [p for p in transaction.postings if p.account_id is None and not p.conversion]
    pairs: list[tuple[Posting | None, Posting | None]]
    if len(legs) == 1 and lines:
        pairs = [(legs[0], line) for line in lines]
    else:
        pairs = [(leg, None) for leg in legs] + [(None, line) for line in lines]
    return [
        _row(transaction, names, leg, line) for leg, line in pairs if _in_scope(scope, leg, line)
    ]


def _in_scope(scope: Scope, leg: Posting | None, line: Posting | None) -> bool:
    if scope.account_id is not None and (leg is None or leg.account_id != scope.account_id):
        return False
    if scope.category_ids is None:
        return True
    return line is not None and line.category_id in scope.category_ids


def _row(
    transaction: Transaction, names: Names, leg: Posting | None, line: Posting | None
) -> ExportRow:
    """A row for an account leg and the category line it pays (either may be missing)."""
    money = line or leg
    assert money is not None
    minor = -line.amount_minor if line is not None else money.amount_minor
    return ExportRow(
        date=transaction.date.isoformat(),
        account=names.accounts.get(leg.account_id, "") if leg and leg.account_id else "",
        payee=transaction.payee,
        memo=(line.memo if line is not None else "") or transaction.memo,
        category=names.categories.get(line.category_id, "")
        if line is not None and line.category_id is not None
        else "",
        amount=format_minor(minor, money.currency),
        currency=money.currency,
        status=transaction.status.value,
        transaction_id=transaction.id,
    )


def defused(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading `'` before a formula character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_header() -> str:
    return _csv_lines([FIELDS])


def csv_rows(rows: Iterable[ExportRow]) -> str:
    """The rows as CSV lines, text cells defused."""
    return _csv_lines(
        [
            [
                defused(value) if field in TEXT_FIELDS and isinstance(value, str) else value
                for field, value in asdict(row).items()
            ]
            for row in rows
        ]
    )


def json_rows(rows: Iterable[ExportRow], *, first: bool) -> str:
    """The rows as members of a JSON list (the caller writes the brackets), verbatim."""
    members = [json.dumps(asdict(row), ensure_ascii=False) for row in rows]
    if not members:
        return ""
    return ("\n" if first else ",\n") + ",\n".join(members)


def _csv_lines(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
