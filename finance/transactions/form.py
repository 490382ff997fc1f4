"""The transaction form, read into the API's schemas and back.

The form is written the way people think about money: an amount as they type it in their
locale ("12,34" under de_DE), and a kind (expense, income, transfer) that gives it its sign and
shape, whatever sign was typed. `read_transaction` turns it into
one of the API's three shapes, and names any error after the form's own fields; `values_of`
turns a stored transaction back into the form's values; `form_block` says what the form shows:
its fields, errors beside them, split lines and where the cursor goes."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from finance.amounts import AmountUnreadable, read_amount, write_amount
from finance.forms import FORM_ERROR, FormInvalid, parse_form
from finance.ledger.models import Transaction
from finance.money import negated
from finance.transactions.listing import Listing
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitTransactionCreate,
    TransactionCreate,
    TransactionType,
    TransferCreate,
)
from finance.transactions.shapes import describe

KINDS = [("expense", "Expense"), ("income", "Income"), ("transfer", "Transfer")]
HEADER_FIELDS = ("date", "payee", "memo", "status")
FIELD_ORDER = (
    "date",
    "payee",
    "amount",
    "kind",
    "account_id",
    "category_id",
    "to_account_id",
    "received_amount",
    "memo",
    "status",
)
"""The form's fields in the order they are shown (split lines come after)."""
SPLIT_FIELD = re.compile(r"splits\.([0-9]{1,2})\.(category_id|amount|memo)")
"""A split line's field: `splits.<line>.<field>`, lines 0 to 99 (the API takes 100 at most)."""
BLANK_SPLIT_LINES = 4
MAX_SPLIT_LINES = 100
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class TransactionForm:
    """A transaction read from the form, and which form line each split line came from (blank
    lines are skipped, so the API's `splits.1` may be the form's line 3)."""

    data: TransactionCreate
    lines: tuple[int, ...] = ()

    def field(self, name: str) -> str:
        """The form's name for a field the API or a service named."""
        return _form_field(name, self.lines)


def _form_field(name: str, lines: Sequence[int]) -> str:
    if name == "from_account_id":
        return "account_id"
    match = re.fullmatch(r"splits\.([0-9]+)\.(\w+)", name)
    if match and int(match[1]) < len(lines):
        return f"splits.{lines[int(match[1])]}.{match[2]}"
    return name


def read_transaction(
    values: Mapping[str, str], locale: str, currencies: Mapping[str, str]
) -> TransactionForm:
    """The form as one of the API's shapes: a transfer, a split (when a split line is filled
    in) or a simple transaction, its amounts typed as `locale` writes them, in the currency of
    the account chosen (`currencies` by account id). An expense's amount is stored negative and
    an income's positive, whichever sign was typed."""
    reader = _AmountReader(locale, currencies.get(values.get("account_id", "")))
    kind = values.get("kind") or "expense"
    if kind not in dict(KINDS):
        raise FormInvalid({"kind": "choose Expense, Income or Transfer"})
    header = {key: values[key] for key in HEADER_FIELDS if key in values}
    lines = _filled_lines(values)
    errors: dict[str, str] = {}
    if kind == "transfer":
        if lines:
            raise FormInvalid({FORM_ERROR: "A transfer has no split lines: clear them."})
        target = values.get("to_account_id", "")
        transfer = {
            **header,
            "from_account_id": values.get("account_id", ""),
            "to_account_id": target,
            "amount": reader.read("amount", values.get("amount", ""), errors),
        }
        receiver = _AmountReader(locale, currencies.get(target))
        received = receiver.read("received_amount", values.get("received_amount", ""), errors)
        if received:  # left empty: the amount itself, between accounts of one currency
            transfer["received_amount"] = received
        return TransactionForm(_parse(TransferCreate, transfer, errors))
    negative = kind == "expense"
    if not lines:
        simple = {
            **header,
            "account_id": values.get("account_id", ""),
            "category_id": values.get("category_id", ""),
            "amount": reader.read_spent("amount", values.get("amount", ""), errors, negative),
        }
        return TransactionForm(_parse(SimpleTransactionCreate, simple, errors))
    if len(lines) == 1:
        raise FormInvalid({FORM_ERROR: "A split needs two lines or more; for one, use Category."})
    splits = [
        {
            "category_id": line.get("category_id", ""),
            "memo": line.get("memo", ""),
            "amount": reader.read_line(
                f"splits.{number}.amount", line.get("amount", ""), errors, negative
            ),
        }
        for number, line in lines.items()
    ]
    total = reader.read_spent("amount", values.get("amount", ""), errors, negative)
    _check_total(total, splits, errors, reader.locale)
    split = {
        **header,
        "account_id": values.get("account_id", ""),
        "splits": [{key: value for key, value in line.items() if value} for line in splits],
    }
    numbers = tuple(lines)
    return TransactionForm(_parse(SplitTransactionCreate, split, errors, numbers), numbers)


def _filled_lines(values: Mapping[str, str]) -> dict[int, dict[str, str]]:
    """The split lines with anything typed in them, by form line, in order."""
    lines: dict[int, dict[str, str]] = {}
    for name, value in values.items():
        match = SPLIT_FIELD.fullmatch(name)
        if match and value:
            lines.setdefault(int(match[1]), {})[match[2]] = value
    return dict(sorted(lines.items()))


@dataclass(frozen=True)
class _AmountReader:
    """Reads the form's amounts as `locale` writes them into the API's plain decimal strings;
    a currency typed beside one must be `currency`, the account's, when it is known."""

    locale: str
    currency: str | None

    def read(self, name: str, typed: str, errors: dict[str, str]) -> str:
        """The amount as typed; empty if missing or unreadable (the reason in `errors`)."""
        if not typed:
            return ""
        try:
            return read_amount(typed, self.locale, self.currency)
        except AmountUnreadable as error:
            errors[name] = str(error)
            return ""

    def read_spent(self, name: str, typed: str, errors: dict[str, str], negative: bool) -> str:
        """An amount whose sign the kind gives: "10" and "-10" both spend 10 in an expense, and
        both receive 10 in an income (a refund is an income into an expense category)."""
        amount = self.read(name, typed, errors).lstrip("+-")
        return "-" + amount if amount and negative else amount

    def read_line(self, name: str, typed: str, errors: dict[str, str], negative: bool) -> str:
        """A split line, typed like the amount above; a minus turns it round (a returned item in
        a purchase), since one split may hold lines of both signs."""
        amount = self.read(name, typed, errors)
        return negated(amount) if amount and negative else amount


def _check_total(
    total: str, splits: Sequence[Mapping[str, str]], errors: dict[str, str], locale: str
) -> None:
    """A split's amount may stay empty; if given, the lines must add up to it."""
    if not total or errors:  # nothing to compare, or something to put right first
        return
    parts = sum(Decimal(line["amount"]) for line in splits)
    if Decimal(total) != parts:
        written = write_amount(str(abs(parts)), locale)
        errors["amount"] = (
            f"the split lines add up to {written}; leave this empty or make them match"
        )


def _parse(
    model: type[Model], data: dict[str, Any], errors: dict[str, str], lines: Sequence[int] = ()
) -> Model:
    """The API's schema on the form's data. The schema's errors are named after the form's
    fields; the form's own (`errors`) win over them: an amount left out because it was
    malformed should not be called missing."""
    try:
        parsed = parse_form(model, data)
    except FormInvalid as invalid:
        named = {_form_field(name, lines): message for name, message in invalid.errors.items()}
        raise FormInvalid(named | errors) from None
    if errors:
        raise FormInvalid(errors)
    return parsed


def values_of(transaction: Transaction, locale: str) -> dict[str, str]:
    """A stored transaction as the form shows it: amounts positive, the kind giving the sign,
    written as `locale` writes them."""
    view = describe(transaction)
    values = {
        "date": view.date.isoformat(),
        "payee": view.payee,
        "memo": view.memo,
        "status": view.status.value,
    }
    if view.type is TransactionType.TRANSFER:
        received = view.received_amount if view.exchange_rate and view.received_amount else ""
        return values | {
            "kind": "transfer",
            "account_id": str(view.from_account_id),
            "to_account_id": str(view.to_account_id),
            "amount": write_amount(view.amount, locale) if view.amount else "",
            "received_amount": write_amount(received, locale) if received else "",
        }
    if view.type is TransactionType.OTHER or view.amount is None:
        return values | {"kind": "other"}
    negative = Decimal(view.amount) <= 0
    values |= {
        "kind": "expense" if negative else "income",
        "account_id": str(view.account_id),
        "amount": write_amount(view.amount.removeprefix("-"), locale),
    }
    if view.splits is None:
        return values | {"category_id": _id(view.category_id)}
    for number, line in enumerate(view.splits):
        values[f"splits.{number}.category_id"] = _id(line.category_id)
        shown = negated(line.amount) if negative else line.amount
        values[f"splits.{number}.amount"] = write_amount(shown, locale)
        values[f"splits.{number}.memo"] = line.memo
    return values


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


def form_block(
    form_id: str,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    *,
    transaction_id: int | None = None,
    inline: bool = False,
    more_lines: bool = False,
    focus_date: bool = False,
) -> dict[str, Any]:
    """What the form block needs: its fields, errors placed beside them, its split lines (the
    ones in use, at least four, four more when asked for), and the field to put the cursor in:
    the first with an error, else the date if `focus_date` (a new form after an add, an edit).
    htmx focuses an `autofocus` field after a swap."""
    used = [int(m[1]) for name in values if (m := SPLIT_FIELD.fullmatch(name))]
    count = max([BLANK_SPLIT_LINES, *(number + 1 for number in used)])
    filled = any(values[name] for name in values if SPLIT_FIELD.fullmatch(name))
    placed = _placed(errors or {})
    return {
        "form_id": form_id,
        "values": values,
        "errors": placed,
        "autofocus": _first_error(placed) or ("date" if focus_date else None),
        "transaction_id": transaction_id,
        "inline": inline,
        "split_count": count + BLANK_SPLIT_LINES * more_lines,
        "splits_open": filled or more_lines,
    }


def _placed(errors: Mapping[str, str]) -> dict[str, str]:
    """Each error beside its field; one about a field the form lacks goes to the form's top."""
    placed: dict[str, str] = {}
    elsewhere: list[str] = []
    for name, message in errors.items():
        if name in FIELD_ORDER or name == FORM_ERROR or SPLIT_FIELD.fullmatch(name):
            placed[name] = message
        else:
            elsewhere.append(f"{name}: {message}")
    if elsewhere:
        placed[FORM_ERROR] = "; ".join([*filter(None, [placed.get(FORM_ERROR)]), *elsewhere])
    return placed


def _first_error(errors: Mapping[str, str]) -> str | None:
    """The first field in the form's order with an error: where the cursor should go."""
    fields = [name for name in FIELD_ORDER if name in errors]
    lines = sorted((name for name in errors if SPLIT_FIELD.fullmatch(name)), key=_line_order)
    return next(iter([*fields, *lines]), None)


def _line_order(name: str) -> tuple[int, int]:
    number, part = name.split(".")[1:]
    return int(number), ("category_id", "amount", "memo").index(part)


def fresh(listing: Listing, after: Mapping[str, str] | None = None) -> dict[str, str]:
    """The quick-add form ready for the next one: same day and account as the last."""
    account = str(listing.query.account_id or "")
    if after is not None:
        return {"date": after.get("date", ""), "account_id": after.get("account_id", account)}
    return {"date": date.today().isoformat(), "account_id": account}
