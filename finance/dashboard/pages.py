"""The dashboard page, and loading the demo data into an empty ledger and removing it again."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from finance.auth.dependencies import PageUser
from finance.categories.pages import starter_dismissed
from finance.dashboard.service import dashboard
from finance.db import SessionDep
from finance.demo import DemoData, DemoRefused, find_demo_data, load_demo, remove_demo
from finance.errors import Conflict
from finance.forms import FORM_ERROR
from finance.transactions.display import row
from finance.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def show_dashboard(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Net worth, balances, this month's income and spending, the latest transactions."""
    figures = await dashboard(db=db, owner_id=user.id, today=date.today())
    context = {
        "nav": "Dashboard",
        "board": figures,
        "row": row,
        "offer_starter": not figures.categories and not starter_dismissed(request),
    }
    return render(request, "dashboard/index.html", context)


@router.post("/demo")
async def load_demo_data(request: Request, db: SessionDep, user: PageUser) -> RedirectResponse:
    """Fill an empty ledger with a year of demo data (refused once there is data)."""
    try:
        await load_demo(db, owner=user)
    except DemoRefused:
        await db.rollback()
    return redirect("/")


@router.get("/demo/remove")
async def confirm_demo_removal(request: Request, db: SessionDep, user: PageUser) -> Response:
    """What removing the demo data deletes, or which of the person's own data is in the way."""
    return _removal_page(request, await find_demo_data(db, owner_id=user.id))


@router.post("/demo/remove")
async def remove_demo_data(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Remove every demo transaction, account and category; the page again while the person's
    own data uses them."""
    try:
        await remove_demo(db, owner_id=user.id)
    except Conflict:
        found = await find_demo_data(db, owner_id=user.id)
        errors = {FORM_ERROR: "Some of your own data uses the demo data: change it first."}
        return _removal_page(request, found, errors=errors)
    return redirect("/")


def _removal_page(
    request: Request, found: DemoData, *, errors: dict[str, str] | None = None
) -> Response:
    context = {"nav": "Dashboard", "found": found, "errors": errors or {}}
    status_code = 422 if errors else 200
    return render(request, "dashboard/remove_demo.html", context, status_code=status_code)
