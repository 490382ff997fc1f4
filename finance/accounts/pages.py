"""Pages for accounts: the list and the forms (an account's register is a transactions page:
`finance.transactions.pages`). HTTP only: the same service as the JSON API does the work."""

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from finance.accounts import service
from finance.accounts.schemas import AccountCreate, AccountUpdate
from finance.amounts import write_amount
from finance.auth.dependencies import PageUser
from finance.db import SessionDep
from finance.forms import FormInvalid, form_values, parse_form, refusals_in_form
from finance.ledger.models import AccountType
from finance.money import format_minor, negated
from finance.notices import add_notice
from finance.schemas import RowId
from finance.web import page_locale, redirect, render

router = APIRouter(prefix="/accounts", include_in_schema=False)

ACCOUNT_TYPES = [(kind.value, kind.value.replace("_", " ").capitalize()) for kind in AccountType]
COMMON_CURRENCIES = ["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "INR"]


@router.get("")
async def list_accounts(
    request: Request,
    db: SessionDep,
    user: PageUser,
    archived: Annotated[bool, Query(description="Show archived accounts too.")] = False,
) -> Response:
    """Balances, assets apart from liabilities; archived accounts hidden unless asked for."""
    rows = await service.list_accounts(db=db, owner_id=user.id)
    shown = [row for row in rows if archived or not row.account.archived]
    context = {
        "nav": "Accounts",
        "assets": [row for row in shown if not row.account.type.is_liability],
        "liabilities": [row for row in shown if row.account.type.is_liability],
        "archived_count": sum(row.account.archived for row in rows),
        "show_archived": archived,
    }
    return render(request, "accounts/index.html", context)


@router.get("/new")
async def new_account(request: Request) -> Response:
    """The form for a new account."""
    return _form(request, values={"type": "checking", "currency": "USD", "opening_balance": "0"})


@router.post("")
async def create_account(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Open an account; the form again, with the reasons, if it is refused."""
    values = await form_values(request)
    try:
        data = _owed_negated(parse_form(AccountCreate, values, locale=page_locale(request)))
        created = await refusals_in_form(service.create_account(db=db, owner_id=user.id, data=data))
    except FormInvalid as invalid:
        return _form(request, values=values, errors=invalid.errors)
    account = created.account
    return add_notice(request, redirect(f"/accounts/{account.id}"), f"Added {account.name}")


@router.get("/{account_id}/edit")
async def edit_account(
    request: Request, account_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """The form to change an account."""
    row = await service.get_account(db=db, owner_id=user.id, account_id=account_id)
    account = row.account
    opening = format_minor(account.opening_balance_minor, account.currency)
    values = {
        "name": account.name,
        "type": account.type.value,
        "currency": account.currency,
        "opening_balance": write_amount(
            negated(opening) if account.type.is_liability else opening, page_locale(request)
        ),
        "opening_date": account.opening_date.isoformat() if account.opening_date else "",
        "note": account.note,
    }
    return _form(request, values=values, account_id=account_id)


@router.post("/{account_id}")
async def update_account(
    request: Request, account_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Save the changes; the form again, with the reasons, if they are refused."""
    values = await form_values(request)
    try:
        given = {**values, "opening_date": values.get("opening_date") or None}  # empty: none
        data = parse_form(
            AccountUpdate,
            given,
            keep_empty=frozenset({"note", "opening_date"}),
            locale=page_locale(request),
        )
        saved = await refusals_in_form(
            service.update_account(
                db=db, owner_id=user.id, account_id=account_id, data=_owed_negated(data)
            )
        )
    except FormInvalid as invalid:
        return _form(request, values=values, errors=invalid.errors, account_id=account_id)
    return add_notice(request, redirect(f"/accounts/{account_id}"), f"Saved {saved.account.name}")


@router.post("/{account_id}/archive")
async def toggle_archive(
    request: Request, account_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Archive an active account, or bring an archived one back."""
    row = await service.get_account(db=db, owner_id=user.id, account_id=account_id)
    change = AccountUpdate(archived=not row.account.archived)
    await service.update_account(db=db, owner_id=user.id, account_id=account_id, data=change)
    done = "Archived" if change.archived else "Restored"
    return add_notice(request, redirect("/accounts"), f"{done} {row.account.name}")


AccountForm = TypeVar("AccountForm", AccountCreate, AccountUpdate)


def _owed_negated(data: AccountForm) -> AccountForm:
    """The form asks a credit card or loan for the amount owed, a positive figure; the ledger
    keeps what is owed negative, so net worth is the sum of the balances."""
    if data.type is None or not data.type.is_liability or data.opening_balance is None:
        return data
    return data.model_copy(update={"opening_balance": negated(data.opening_balance)})


def _form(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    account_id: int | None = None,
) -> Response:
    context = {
        "nav": "Accounts",
        "values": values,
        "errors": errors or {},
        "account_id": account_id,
        "types": ACCOUNT_TYPES,
        "currencies": COMMON_CURRENCIES,
    }
    status_code = 422 if errors else 200
    return render(request, "accounts/form.html", context, block="form", status_code=status_code)
