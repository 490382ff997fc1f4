"""Pages for transactions: the filtered list with its quick-add form, inline edit, delete with
undo, payee suggestions. HTTP only: the routes and the small helpers that render their pages.
The same service as the JSON API does the work; `listing` reads the list's query string and
`form` reads the transaction form into the API's schemas and back."""

from collections.abc import Mapping
from functools import partial
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from finance.accounts import service as accounts
from finance.auth.dependencies import PageUser
from finance.categories import service as categories
from finance.db import SessionDep
from finance.errors import BeforeOpeningDate, Conflict, DomainError, InvalidInput
from finance.forms import FORM_ERROR, FormInvalid, form_values, parse_form, refusals_in_form
from finance.ledger.models import CategoryKind, Transaction, TransactionStatus
from finance.notices import add_notice
from finance.schemas import RowId
from finance.transactions import service
from finance.transactions.choices import Choices
from finance.transactions.display import row
from finance.transactions.form import (
    BLANK_SPLIT_LINES,
    HEADER_FIELDS,
    KINDS,
    MAX_SPLIT_LINES,
    TransactionForm,
    form_block,
    fresh,
    read_transaction,
    values_of,
)
from finance.transactions.listing import Listing, read_filters, requested, returning
from finance.transactions.schemas import TransactionUpdate
from finance.web import is_htmx, money, page_locale, redirect, render, short_date

router = APIRouter(prefix="/transactions", include_in_schema=False)
register_router = APIRouter(prefix="/accounts", include_in_schema=False)
"""An account's register, at `/accounts/{id}`: include it after the account pages, whose fixed
paths (`/accounts/new`) it would otherwise claim."""

TEMPLATE = "transactions/index.html"
QUICK_ADD = "quick-add"
FORM_ID = r"quick-add|edit-[0-9]+"
STATUSES = [(status.value, status.value.capitalize()) for status in TransactionStatus]
PAYEE_SUGGESTIONS = 500
REGISTER_PAGE = 50


# What the page shows


async def _choices(db: AsyncSession, owner_id: int) -> Choices:
    balances = await accounts.list_accounts(db=db, owner_id=owner_id)
    return Choices(
        [item.account for item in balances],
        await categories.list_categories(db=db, owner_id=owner_id),
    )


def _context(choices: Choices, listing: Listing, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "Transactions",
        "row": row,
        "choices": choices,
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
        where=listing.query,
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
    refusal: DomainError | None = None,
) -> Response:
    """The list with its quick-add form; for htmx only `block` (the form, the table or the
    next rows), loading only what that block shows. A `refusal` with a fix offers it."""
    fragment = _fragment(request, block)
    form = form_block(
        QUICK_ADD, values, errors, more_lines=more_lines, focus_date=created is not None
    )
    context = _context(
        await _choices(db, owner_id),
        listing,
        mode="list",
        created=created,
        transaction=created,
        opening_fix=_opening_fix(refusal),
        **form,
    )
    if fragment != "transaction_form" or created is not None:
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
        await _choices(db, owner_id), listing, transaction=transaction, focus=True, row_error=error
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
    refusal: DomainError | None = None,
) -> Response:
    """The edit form: a table row for htmx, a page of its own for a browser."""
    fragment = _fragment(request, "edit_row")
    form = form_block(
        f"edit-{transaction_id}",
        values,
        errors,
        transaction_id=transaction_id,
        inline=fragment is not None,
        more_lines=more_lines,
        focus_date=True,
    )
    context = _context(
        await _choices(db, owner_id),
        listing,
        mode="edit",
        opening_fix=_opening_fix(refusal),
        **form,
    )
    if fragment is None:
        context["payees"] = await service.recent_payees(
            db=db, owner_id=owner_id, limit=PAYEE_SUGGESTIONS
        )
    status_code = 422 if errors else 200
    return render(request, TEMPLATE, context, block=fragment, status_code=status_code)


def _back_saying(
    request: Request, listing: Listing, done: str, transaction: Transaction
) -> Response:
    """Back to the list (no JavaScript), with a notice of the change in the page's locale, in
    the words of the delete page's `summary`: "Added Whole Foods, -$54.23, Oct 3, 2026"."""
    shown, locale = row(transaction), page_locale(request)
    what = shown.payee or "a transaction"
    amount = money(shown.amount_minor, shown.currency, locale)
    notice = f"{done} {what}, {amount}, {short_date(shown.date, locale)}"
    return add_notice(request, redirect(listing.url), notice)


def _opening_fix(refusal: DomainError | None) -> BeforeOpeningDate | None:
    """A date refused for an account's opening date: the form links to that account's edit
    form, where the date can move back."""
    return refusal if isinstance(refusal, BeforeOpeningDate) else None


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
        await _choices(db, owner_id),
        listing,
        mode="delete",
        transaction=transaction,
        errors={FORM_ERROR: error} if error else {},
    )
    return render(request, TEMPLATE, context, status_code=409 if error else 200)


async def _read_form(
    request: Request, db: AsyncSession, owner_id: int, values: Mapping[str, str]
) -> TransactionForm:
    """The transaction form, its amounts read in the page's locale and the account's currency."""
    choices = await _choices(db, owner_id)
    return read_transaction(values, page_locale(request), choices.account_currencies)


async def _save(
    request: Request, db: AsyncSession, owner_id: int, transaction_id: int, values: dict[str, str]
) -> Transaction:
    """Replace the transaction with what the form holds. One the form cannot show whole (kind
    "other": postings no shape describes) keeps its postings; its header changes."""
    if values.get("kind") == "other":
        header = {key: values.get(key, "") for key in HEADER_FIELDS}
        data = parse_form(TransactionUpdate, header, keep_empty=frozenset({"payee", "memo"}))
        change = service.update_transaction(
            db=db, owner_id=owner_id, transaction_id=transaction_id, data=data
        )
        return await refusals_in_form(change, str)
    form = await _read_form(request, db, owner_id, values)
    replace = service.replace_transaction(
        db=db, owner_id=owner_id, transaction_id=transaction_id, data=form.data
    )
    return await refusals_in_form(replace, form.field)


# Routes: fixed paths first, so that `/{transaction_id}` does not claim them.

FormId = Annotated[str, Query(pattern=f"^(?:{FORM_ID})$")]


async def _owned_transaction(transaction_id: RowId, db: SessionDep, user: PageUser) -> Transaction:
    return await service.get_transaction(db=db, owner_id=user.id, transaction_id=transaction_id)


OwnedTransaction = Annotated[Transaction, Depends(_owned_transaction)]
"""The transaction the path names, or 404."""


@router.get("")
async def list_transactions(request: Request, db: SessionDep, user: PageUser) -> Response:
    """The list, filtered by the query string, with the quick-add form on top. The filter bar
    asks for the table alone (and is told the URL to show), "Load more" for the next rows."""
    listing = requested(request)
    block = "rows" if listing.query.cursor else "table"
    response = await _list_page(request, db, user.id, listing, block=block, values=fresh(listing))
    if block == "table":
        response.headers["HX-Push-Url"] = listing.url
    return response


@router.post("")
async def add_transaction(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Record what the quick-add form holds: back to the list without JavaScript; with htmx a
    fresh form, and the table again with the new row in its place."""
    values = await form_values(request)
    listing = returning(values, request)
    again = partial(_list_page, request, db, user.id, listing, block="transaction_form")
    if "more_lines" in values:
        return await again(values=values, more_lines=True)
    try:
        form = await _read_form(request, db, user.id, values)
        create = service.create_transaction(db=db, owner_id=user.id, data=form.data)
        created = await refusals_in_form(create, form.field)
    except FormInvalid as invalid:
        return await again(values=values, errors=invalid.errors, refusal=invalid.refusal)
    if not is_htmx(request):
        return _back_saying(request, listing, "Added", created)
    return await again(values=fresh(listing, after=values), created=created)


@router.get("/split-line")
async def add_split_line(
    request: Request,
    db: SessionDep,
    user: PageUser,
    form: FormId = QUICK_ADD,
    index: Annotated[int, Query(ge=0, lt=MAX_SPLIT_LINES)] = BLANK_SPLIT_LINES,
) -> Response:
    """One more blank split line for a form (htmx), and the button that asks for the next."""
    if not is_htmx(request):
        return redirect("/transactions")
    choices = await _choices(db, user.id)
    context = _context(
        choices,
        read_filters({}, page_locale(request)),
        form_id=form,
        index=index,
        limit=MAX_SPLIT_LINES,
    )
    return render(request, TEMPLATE, context, block="split_line")


@router.get("/payee-category")
async def suggest_category(
    request: Request,
    db: SessionDep,
    user: PageUser,
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
    choices = await _choices(db, user.id)
    context = _context(choices, read_filters({}, page_locale(request)), form_id=form, values=values)
    return render(request, TEMPLATE, context, block="suggestion")


@router.post("/undo")
async def undo_delete(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Record a deleted transaction again from what its "Deleted — Undo" row kept: a new id,
    the same date, payee, memo, status, accounts, categories and amounts. If that is refused
    (its account archived meanwhile), the quick-add form shows it with the reason."""
    values = await form_values(request)
    listing = returning(values, request)
    try:
        form = await _read_form(request, db, user.id, values)
        create = service.create_transaction(db=db, owner_id=user.id, data=form.data)
        restored = await refusals_in_form(create, form.field)
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
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: PageUser
) -> Response:
    """A transaction's row, for htmx (cancelling an inline edit); a browser gets its edit page."""
    if not is_htmx(request):
        return redirect(f"/transactions/{transaction.id}/edit")
    return await _row(request, db, user.id, transaction, requested(request))


@router.get("/{transaction_id}/edit")
async def edit_transaction(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: PageUser
) -> Response:
    """The form to change a transaction, filled in; the query string is the list to go back to."""
    listing = requested(request)
    return await _edit_page(
        request,
        db,
        user.id,
        transaction.id,
        listing,
        values=values_of(transaction, page_locale(request)),
    )


@router.post("/{transaction_id}")
async def save_transaction(
    request: Request, transaction_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Save the edit form: its row again for htmx, the list for a browser; the form with the
    reasons if refused."""
    values = await form_values(request)
    listing = returning(values, request)
    again = partial(_edit_page, request, db, user.id, transaction_id, listing, values=values)
    if "more_lines" in values:
        return await again(more_lines=True)
    try:
        saved = await _save(request, db, user.id, transaction_id, values)
    except FormInvalid as invalid:
        return await again(errors=invalid.errors, refusal=invalid.refusal)
    if not is_htmx(request):
        return _back_saying(request, listing, "Saved", saved)
    return await _row(request, db, user.id, saved, listing)


@router.get("/{transaction_id}/delete")
async def confirm_delete(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: PageUser
) -> Response:
    """Ask before deleting (the page for a browser without JavaScript)."""
    listing = requested(request)
    return await _confirm_page(request, db, user.id, transaction, listing)


@router.post("/{transaction_id}/delete")
async def delete_transaction(
    request: Request, transaction: OwnedTransaction, db: SessionDep, user: PageUser
) -> Response:
    """Delete, then back to the list; with htmx the row turns into "Deleted — Undo", holding
    what undoing needs. A reconciled transaction stays, and the reason is shown."""
    values = await form_values(request)
    listing = returning(values, request)
    kept = values_of(transaction, page_locale(request)) | {"return": listing.string}
    try:
        await service.delete_transaction(db=db, owner_id=user.id, transaction_id=transaction.id)
    except Conflict as refused:
        if is_htmx(request):
            return await _row(request, db, user.id, transaction, listing, error=refused.detail)
        return await _confirm_page(request, db, user.id, transaction, listing, error=refused.detail)
    if not is_htmx(request):
        return _back_saying(request, listing, "Deleted", transaction)
    context = {
        "listing": listing,
        "deleted": row(transaction),
        "undo": kept if kept["kind"] != "other" else {},
    }
    return render(request, TEMPLATE, context, block="deleted_row")


@register_router.get("/{account_id}")
async def show_register(
    request: Request,
    account_id: RowId,
    db: SessionDep,
    user: PageUser,
    cursor: str | None = None,
) -> Response:
    """The account's transactions, newest first, with the balance after each; more on demand."""
    stale = False
    try:
        page = await service.register(
            db=db, owner_id=user.id, account_id=account_id, cursor=cursor, limit=REGISTER_PAGE
        )
    except InvalidInput:  # an old or mangled "Load more" link: start again from the newest
        stale = True
        page = await service.register(
            db=db, owner_id=user.id, account_id=account_id, cursor=None, limit=REGISTER_PAGE
        )
    context = {"nav": "Accounts", "register": page, "stale_link": stale, "row": row}
    block = None if stale else "more"
    return render(request, "transactions/register.html", context, block=block)
