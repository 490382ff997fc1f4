"""Pages for transactions: the filtered list with its quick-add form, inline edit, delete with
undo, payee suggestions. HTTP only: the same service as the JSON API does the work.

The form is written the way people think about money: an amount typed positive, and a kind
(expense, income, transfer) that gives it its sign and shape. `read_transaction` turns it into
one of the API's three shapes, and names any error after the form's own fields."""

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from http import HTTPStatus
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.accounts.models import Account
from finance.categories import service as categories
from finance.categories.models import Category, CategoryKind
from finance.db import SessionDep
from finance.errors import Conflict, DomainError, InvalidInput
from finance.forms import FORM_ERROR, FormInvalid, form_errors, form_values, parse_form
from finance.money import MoneyError, split_decimal
from finance.pagination import decode_cursor
from finance.schemas import RowId
from finance.transactions import service
from finance.transactions.display import row
from finance.transactions.models import Transaction, TransactionStatus
from finance.transactions.schemas import (
    SimpleTransactionCreate,
    SplitTransactionCreate,
    TransactionCreate,
    TransactionQuery,
    TransactionType,
    TransactionUpdate,
    TransferCreate,
)
from finance.transactions.shapes import describe
from finance.users.dependencies import CurrentUser
from finance.web import is_htmx, redirect, render

router = APIRouter(prefix="/transactions", include_in_schema=False)

TEMPLATE = "transactions/index.html"
QUICK_ADD = "quick-add"
FORM_ID = r"quick-add|edit-[0-9]+"
KINDS = [("expense", "Expense"), ("income", "Income"), ("transfer", "Transfer")]
STATUSES = [(status.value, status.value.capitalize()) for status in TransactionStatus]
FILTERS = {
    "account_id": "account",
    "category_id": "category",
    "date_from": "from date",
    "date_to": "to date",
    "q": "text",
    "status": "status",
}
"""The list's filters, as the query string names them and as a message speaks of them."""
PAGE_PARAMS = frozenset({*FILTERS, "cursor"})
HEADER_FIELDS = ("date", "payee", "memo", "status")
FIELD_ORDER = (
    "date",
    "payee",
    "amount",
    "kind",
    "account_id",
    "category_id",
    "to_account_id",
    "memo",
    "status",
)
"""The form's fields in the order they are shown (split lines come after)."""
SPLIT_FIELD = re.compile(r"splits\.([0-9]{1,2})\.(category_id|amount|memo)")
"""A split line's field: `splits.<line>.<field>`, lines 0 to 99 (the API takes 100 at most)."""
BLANK_SPLIT_LINES = 4
MAX_SPLIT_LINES = 100
PAYEE_SUGGESTIONS = 500
T = TypeVar("T")
Model = TypeVar("Model", bound=BaseModel)


# The list's query string


@dataclass(frozen=True)
class Listing:
    """The list as the URL asks for it: the filters as typed (to fill the filter bar and to
    come back to), the ones that apply, and a message for each one left out."""

    typed: dict[str, str]
    query: TransactionQuery
    problems: list[str] = field(default_factory=list)

    @property
    def string(self) -> str:
        """The filters as a query string, empty ones left out: what a bookmark keeps."""
        return urlencode(self._given)

    @property
    def url(self) -> str:
        return f"/transactions?{self.string}" if self.string else "/transactions"

    @property
    def filtered(self) -> bool:
        return any(self.typed.values())

    def more_url(self, cursor: str) -> str:
        """The next page of the same list."""
        return f"/transactions?{urlencode({**self._given, 'cursor': cursor})}"

    @property
    def _given(self) -> dict[str, str]:
        return {key: value for key, value in self.typed.items() if value}


def read_filters(params: Mapping[str, str]) -> Listing:
    """The filters of a query string; an unknown or malformed one is left out with a message,
    so a hand-edited or outdated bookmark still shows a page."""
    typed = {key: params.get(key, "").strip() for key in FILTERS}
    problems = [f"Unknown filter “{key}” ignored." for key in params if key not in PAGE_PARAMS]
    valid: dict[str, str] = {}
    for key, value in typed.items():
        try:
            if value:
                parse_form(TransactionQuery, {key: value})
                valid[key] = value
        except FormInvalid as invalid:
            reason = "; ".join(invalid.errors.values())
            problems.append(f"The {FILTERS[key]} filter “{value}” was ignored: {reason}.")
    try:
        if cursor := params.get("cursor", ""):
            decode_cursor(cursor)
            valid["cursor"] = cursor
    except InvalidInput:
        problems.append("That page link is out of date; showing the newest.")
    return Listing(typed, parse_form(TransactionQuery, valid), problems)


def _returning(values: Mapping[str, str], request: Request) -> Listing:
    """The list a form was sent from: its `return` field, or the query string of the URL."""
    if "return" in values:
        return read_filters(dict(parse_qsl(values["return"])))
    return read_filters(request.query_params)


# The form


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


def read_transaction(values: Mapping[str, str]) -> TransactionForm:
    """The form as one of the API's shapes: a transfer, a split (when a split line is filled
    in) or a simple transaction. An expense's amounts are typed positive and stored negative."""
    kind = values.get("kind") or "expense"
    if kind not in dict(KINDS):
        raise FormInvalid({"kind": "choose Expense, Income or Transfer"})
    header = {key: values[key] for key in HEADER_FIELDS if key in values}
    lines = _filled_lines(values)
    errors: dict[str, str] = {}
    if kind == "transfer":
        if lines:
            raise FormInvalid({FORM_ERROR: "A transfer has no split lines: clear them."})
        transfer = {
            **header,
            "from_account_id": values.get("account_id", ""),
            "to_account_id": values.get("to_account_id", ""),
            "amount": _amount("amount", values.get("amount", ""), errors),
        }
        return TransactionForm(_parse(TransferCreate, transfer, errors))
    negative = kind == "expense"
    if not lines:
        simple = {
            **header,
            "account_id": values.get("account_id", ""),
            "category_id": values.get("category_id", ""),
            "amount": _amount("amount", values.get("amount", ""), errors, negative=negative),
        }
        return TransactionForm(_parse(SimpleTransactionCreate, simple, errors))
    if len(lines) == 1:
        raise FormInvalid({FORM_ERROR: "A split needs two lines or more; for one, use Category."})
    splits = [
        {
            "category_id": line.get("category_id", ""),
            "memo": line.get("memo", ""),
            "amount": _amount(
                f"splits.{number}.amount", line.get("amount", ""), errors, negative=negative
            ),
        }
        for number, line in lines.items()
    ]
    _check_total(_amount("amount", values.get("amount", ""), errors), lines, errors)
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


def _amount(name: str, typed: str, errors: dict[str, str], *, negative: bool = False) -> str:
    """A typed amount with the sign its kind gives it ("12.50" spent is "-12.50"); a typed
    minus turns it round (a refund line in an expense). Empty if missing or malformed."""
    if not typed:
        return ""
    try:
        split_decimal(typed)
    except MoneyError:
        errors[name] = "type an amount like 12.34"
        return ""
    return _negated(typed) if negative else typed


def _negated(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else "-" + amount.removeprefix("+")


def _check_total(
    total: str, lines: Mapping[int, Mapping[str, str]], errors: dict[str, str]
) -> None:
    """A split's amount may stay empty; if given, the lines must add up to it (as typed)."""
    if not total or errors:  # nothing to compare, or something to put right first
        return
    parts = sum(Decimal(line.get("amount") or "0") for line in lines.values())
    if Decimal(total) != parts:
        errors["amount"] = f"the split lines add up to {parts}; leave this empty or make them match"


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


async def _refusals_in_form(call: Awaitable[T], field: Callable[[str], str]) -> T:
    """The service's answer; a rule's refusal becomes form errors beside the fields it names."""
    try:
        return await call
    except DomainError as error:
        if error.status == HTTPStatus.NOT_FOUND:
            raise
        raise FormInvalid({field(name): msg for name, msg in form_errors(error).items()}) from None


def values_of(transaction: Transaction) -> dict[str, str]:
    """A stored transaction as the form shows it: amounts positive, the kind giving the sign."""
    view = describe(transaction)
    values = {
        "date": view.date.isoformat(),
        "payee": view.payee,
        "memo": view.memo,
        "status": view.status.value,
    }
    if view.type is TransactionType.TRANSFER:
        return values | {
            "kind": "transfer",
            "account_id": str(view.from_account_id),
            "to_account_id": str(view.to_account_id),
            "amount": view.amount or "",
        }
    if view.type is TransactionType.OTHER or view.amount is None:
        return values | {"kind": "other"}
    negative = Decimal(view.amount) <= 0
    values |= {
        "kind": "expense" if negative else "income",
        "account_id": str(view.account_id),
        "amount": view.amount.removeprefix("-"),
    }
    if view.splits is None:
        return values | {"category_id": _id(view.category_id)}
    for number, line in enumerate(view.splits):
        values[f"splits.{number}.category_id"] = _id(line.category_id)
        values[f"splits.{number}.amount"] = _negated(line.amount) if negative else line.amount
        values[f"splits.{number}.memo"] = line.memo
    return values


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


def _form(
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


def _fresh(listing: Listing, after: Mapping[str, str] | None = None) -> dict[str, str]:
    """The quick-add form ready for the next one: same day and account as the last."""
    account = str(listing.query.account_id or "")
    if after is not None:
        return {"date": after.get("date", ""), "account_id": after.get("account_id", account)}
    return {"date": date.today().isoformat(), "account_id": account}


# What the page shows


@dataclass(frozen=True)
class Ledger:
    """The owner's accounts and categories, as the page names and offers them (each list
    worked out once a request: a table asks for the names on every row)."""

    accounts: list[Account]
    categories: list[Category]

    @cached_property
    def account_names(self) -> dict[int, str]:
        return {account.id: account.name for account in self.accounts}

    @cached_property
    def category_names(self) -> dict[int, str]:
        parents = {category.id: category.name for category in self.categories}
        return {
            category.id: (
                f"{parents[category.parent_id]}: {category.name}"
                if category.parent_id in parents
                else category.name
            )
            for category in self.categories
        }

    def account_options(self, keep: Iterable[str] = ()) -> list[tuple[int, str]]:
        """Active accounts to choose from, and any archived one in `keep` (already used)."""
        kept = set(keep)
        return [
            (account.id, account.name + (" (archived)" if account.archived else ""))
            for account in self.accounts
            if not account.archived or str(account.id) in kept
        ]

    @cached_property
    def all_account_options(self) -> list[tuple[int, str]]:
        return self.account_options(str(account.id) for account in self.accounts)

    @cached_property
    def category_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Expense and income categories, each parent followed by its children."""
        names = self.category_names
        order = sorted(self.categories, key=lambda c: (names[c.id].casefold(), c.id))
        return [
            (label, [(c.id, names[c.id]) for c in order if c.kind is kind])
            for kind, label in ((CategoryKind.EXPENSE, "Expense"), (CategoryKind.INCOME, "Income"))
        ]


async def _ledger(db: AsyncSession, owner_id: int) -> Ledger:
    balances = await accounts.list_accounts(db=db, owner_id=owner_id)
    return Ledger(
        [item.account for item in balances],
        await categories.list_categories(db=db, owner_id=owner_id),
    )


def _context(ledger: Ledger, listing: Listing, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "Transactions",
        "ledger": ledger,
        "listing": listing,
        "kinds": KINDS,
        "statuses": STATUSES,
        **extra,
    }


async def _table(
    request: Request, db: AsyncSession, owner_id: int, listing: Listing
) -> service.Page:
    """One page of the list; `read_filters` has left out whatever the service would refuse."""
    return await service.list_transactions(
        db=db,
        owner_id=owner_id,
        where=listing.query.to_filter(),
        cursor=listing.query.cursor,
        limit=request.app.state.settings.page_size_default,
    )


def _fragment(request: Request, block: str) -> str | None:
    """The block an htmx request wants; None (the page) for a browser, and for htmx restoring
    history it had no copy of, which wants the whole page too."""
    if not is_htmx(request):
        return None
    return block


async def _list_page(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    listing: Listing,
    *,
    block: str,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    more_lines: bool = False,
    created: Transaction | None = None,
) -> Response:
    """The list with its quick-add form; for htmx only `block` (the form, the table or the
    next rows), loading only what that block shows."""
    fragment = _fragment(request, block)
    form = _form(QUICK_ADD, values, errors, more_lines=more_lines, focus_date=created is not None)
    context = _context(
        await _ledger(db, owner_id),
        listing,
        mode="list",
        created=created,
        transaction=created,
        **form,
    )
    if fragment != "transaction_form":
        context["page"] = await _table(request, db, owner_id, listing)
    if fragment is None:
        context["payees"] = await service.recent_payees(
            db=db, owner_id=owner_id, limit=PAYEE_SUGGESTIONS
        )
    return render(request, TEMPLATE, context, block=fragment, status_code=422 if errors else 200)


async def _row(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    transaction: Transaction,
    listing: Listing,
    *,
    error: str = "",
) -> Response:
    """One row of the table, focused: it replaces the row the user was working on. With an
    error, the row stays as it was and says why (409: the change was refused)."""
    context = _context(
        await _ledger(db, owner_id), listing, transaction=transaction, focus=True, row_error=error
    )
    status_code = 409 if error else 200
    return render(request, TEMPLATE, context, block="row", status_code=status_code)


async def _edit_page(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    transaction_id: int,
    listing: Listing,
    *,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    more_lines: bool = False,
) -> Response:
    """The edit form: a table row for htmx, a page of its own for a browser."""
    fragment = _fragment(request, "edit_row")
    form = _form(
        f"edit-{transaction_id}",
        values,
        errors,
        transaction_id=transaction_id,
        inline=fragment is not None,
        more_lines=more_lines,
        focus_date=True,
    )
    context = _context(await _ledger(db, owner_id), listing, mode="edit", **form)
    if fragment is None:
        context["payees"] = await service.recent_payees(
            db=db, owner_id=owner_id, limit=PAYEE_SUGGESTIONS
        )
    status_code = 422 if errors else 200
    return render(request, TEMPLATE, context, block=fragment, status_code=status_code)


async def _confirm_page(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    transaction: Transaction,
    listing: Listing,
    *,
    error: str = "",
) -> Response:
    """The page that asks before deleting, without JavaScript (htmx asks with `hx-confirm`)."""
    context = _context(
        await _ledger(db, owner_id),
        listing,
        mode="delete",
        transaction=transaction,
        errors={FORM_ERROR: error} if error else {},
    )
    return render(request, TEMPLATE, context, status_code=409 if error else 200)


async def _save(
    db: AsyncSession, owner_id: int, transaction_id: int, values: dict[str, str]
) -> Transaction:
    """Replace the transaction with what the form holds. One the form cannot show whole (kind
    "other": postings no shape describes) keeps its postings; its header changes."""
    if values.get("kind") == "other":
        header = {key: values.get(key, "") for key in HEADER_FIELDS}
        data = parse_form(TransactionUpdate, header, keep_empty=frozenset({"payee", "memo"}))
        change = service.update_transaction(
            db=db, owner_id=owner_id, transaction_id=transaction_id, data=data
        )
        return await _refusals_in_form(change, str)
    form = read_transaction(values)
    replace = service.replace_transaction(
        db=db, owner_id=owner_id, transaction_id=transaction_id, data=form.data
    )
    return await _refusals_in_form(replace, form.field)


# Routes: fixed paths first, so that `/{transaction_id}` does not claim them.

FormId = Annotated[str, Query(pattern=f"^(?:{FORM_ID})$")]


async def _owned_transaction(
    transaction_id: RowId, db: SessionDep, user: CurrentUser
) -> Transaction:
    return await service.get_transaction(db=db, owner_id=user.id, transaction_id=transaction_id)


OwnedTransaction = Annotated[Transaction, Depends(_owned_transaction)]
"""The transaction the path names, or 404."""


@router.get("")
async def list_transactions(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """The list, filtered by the query string, with the quick-add form on top. The filter bar
    asks for the table alone (and is told the URL to show), "Load more" for the next rows."""
    listing = read_filters(request.query_params)
    block = "rows" if listing.query.cursor else "table"
    response = await _list_page(request, db, user.id, listing, block=block, values=_fresh(listing))
    if block == "table":
        response.headers["HX-Push-Url"] = listing.url
    return response


@router.post("")
async def add_transaction(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """Record what the quick-add form holds: back to the list without JavaScript; with htmx a
    fresh form, and the new row put at the top of the table."""
    values = await form_values(request)
    listing = _returning(values, request)
    again = partial(_list_page, request, db, user.id, listing, block="transaction_form")
    if "more_lines" in values:
        return await again(values=values, more_lines=True)
    try:
        form = read_transaction(values)
        create = service.create_transaction(db=db, owner_id=user.id, data=form.data)
        created = await _refusals_in_form(create, form.field)
    except FormInvalid as invalid:
        return await again(values=values, errors=invalid.errors)
    if not is_htmx(request):
        return redirect(listing.url)
    return await again(values=_fresh(listing, after=values), created=created)


@router.get("/split-line")
async def add_split_line(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    form: FormId = QUICK_ADD,
    index: Annotated[int, Query(ge=0, lt=MAX_SPLIT_LINES)] = BLANK_SPLIT_LINES,
) -> Response:
    """One more blank split line for a form (htmx), and the button that asks for the next."""
    if not is_htmx(request):
        return redirect("/transactions")
    ledger = await _ledger(db, user.id)
    context = _context(ledger, read_filters({}), form_id=form, index=index, limit=MAX_SPLIT_LINES)
    return render(request, TEMPLATE, context, block="split_line")


@router.get("/payee-category")
async def suggest_category(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    form: FormId = QUICK_ADD,
    payee: str = "",
    kind: str = "expense",
    category_id: str = "",
) -> Response:
    """The category last used with a payee, swapped into the form's category and type fields
    (htmx, out of band); nothing (204) for a new payee, a transfer, or a category chosen."""
    if not is_htmx(request):
        return redirect("/transactions")
    if category_id or kind == "transfer" or not payee.strip():
        return Response(status_code=HTTPStatus.NO_CONTENT)
    category = await service.last_category_for_payee(db=db, owner_id=user.id, payee=payee.strip())
    if category is None:
        return Response(status_code=HTTPStatus.NO_CONTENT)
    income = category.kind is CategoryKind.INCOME
    values = {"kind": "income" if income else "expense", "category_id": str(category.id)}
    ledger = await _ledger(db, user.id)
    context = _context(ledger, read_filters({}), form_id=form, values=values)
    return render(request, TEMPLATE, context, block="suggestion")


@router.post("/undo")
async def undo_delete(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    """Record a deleted transaction again from what its "Deleted — Undo" row kept: a new id,
    the same date, payee, memo, status, accounts, categories and amounts. If that is refused
    (its account archived meanwhile), the quick-add form shows it with the reason."""
    values = await form_values(request)
    listing = _returning(values, request)
    try:
        form = read_transaction(values)
        create = service.create_transaction(db=db, owner_id=user.id, data=form.data)
        restored = await _refusals_in_form(create, form.field)
    except FormInvalid as invalid:
        response = await _list_page(
            request,
            db,
            user.id,
            listing,
            block="transaction_form",
            values=values,
            errors=invalid.errors,
        )
        response.headers["HX-Retarget"] = f"#{QUICK_ADD}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    if not is_htmx(request):
        return redirect(listing.url)
    return await _row(request, db, user.id, restored, listing)


@router.get("/{transaction_id}")
async def show_row(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: CurrentUser
) -> Response:
    """A transaction's row, for htmx (cancelling an inline edit); a browser gets its edit page."""
    if not is_htmx(request):
        return redirect(f"/transactions/{transaction.id}/edit")
    return await _row(request, db, user.id, transaction, read_filters(request.query_params))


@router.get("/{transaction_id}/edit")
async def edit_transaction(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: CurrentUser
) -> Response:
    """The form to change a transaction, filled in; the query string is the list to go back to."""
    listing = read_filters(request.query_params)
    return await _edit_page(
        request, db, user.id, transaction.id, listing, values=values_of(transaction)
    )


@router.post("/{transaction_id}")
async def save_transaction(
    request: Request, transaction_id: RowId, db: SessionDep, user: CurrentUser
) -> Response:
    """Save the edit form: its row again for htmx, the list for a browser; the form with the
    reasons if refused."""
    values = await form_values(request)
    listing = _returning(values, request)
    again = partial(_edit_page, request, db, user.id, transaction_id, listing, values=values)
    if "more_lines" in values:
        return await again(more_lines=True)
    try:
        saved = await _save(db, user.id, transaction_id, values)
    except FormInvalid as invalid:
        return await again(errors=invalid.errors)
    if not is_htmx(request):
        return redirect(listing.url)
    return await _row(request, db, user.id, saved, listing)


@router.get("/{transaction_id}/delete")
async def confirm_delete(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: CurrentUser
) -> Response:
    """Ask before deleting (the page for a browser without JavaScript)."""
    listing = read_filters(request.query_params)
    return await _confirm_page(request, db, user.id, transaction, listing)


@router.post("/{transaction_id}/delete")
async def delete_transaction(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: CurrentUser
) -> Response:
    """Delete, then back to the list; with htmx the row turns into "Deleted — Undo", holding
    what undoing needs. A reconciled transaction stays, and the reason is shown."""
    values = await form_values(request)
    listing = _returning(values, request)
    kept = values_of(transaction) | {"return": listing.string}
    try:
        await service.delete_transaction(db=db, owner_id=user.id, transaction_id=transaction.id)
    except Conflict as refused:
        if is_htmx(request):
            return await _row(request, db, user.id, transaction, listing, error=refused.detail)
        return await _confirm_page(request, db, user.id, transaction, listing, error=refused.detail)
    if not is_htmx(request):
        return redirect(listing.url)
    context = {
        "listing": listing,
        "deleted": row(transaction),
        "undo": kept if kept["kind"] != "other" else {},
    }
    return render(request, TEMPLATE, context, block="deleted_row")
